-- LOCAL USE ONLY (deploy/compose.yaml): one PostgreSQL server with one database per
-- service, as in Kubernetes where each service has its own CloudNativePG cluster.
-- Runs once, when the data volume is empty. The services' `migrate` command would also
-- create a missing database; creating them here keeps a fresh stack independent of it.
CREATE DATABASE intake;
CREATE DATABASE housing;
CREATE DATABASE courses;
CREATE DATABASE volunteers;
CREATE DATABASE notifications;

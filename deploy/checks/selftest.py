"""The policy's self-test: a good rendering broken in known ways, each break caught."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from broker import check_broker_users
from budget import check_connection_budget
from crds import custom_resource_problems
from cronjobs import check_cronjobs
from images import check_k8s_images
from ingress import check_body_size, check_not_public, check_staff_tools
from model import NAMESPACE, Doc, Rendering, Report, load_all, pod_template, summarize
from network import check_network_policies
from objects import (
    BUILTIN_API_VERSIONS,
    check_api_versions,
    check_names,
    check_namespace,
    check_pdb_hpa,
    check_upgrade_phases,
)
from pods import check_pod_identity, check_probe_paths, check_requests
from rules import k8s_rules
from settings import check_database_roles, check_no_secrets, check_secret_references, check_settings


def run_selftest(path: Path, ingress_namespace: str) -> int:
    """Break a good rendering in known ways; each break must be caught by its rule."""
    import copy

    good = load_all(path)
    broken_rules = [
        t for t, problems in k8s_rules(Rendering(path, good), ingress_namespace) if list(problems)
    ]
    if broken_rules:
        print(f"FAIL  self-test needs a rendering that passes the policy; {path} fails:")
        for title in broken_rules:
            print(f"        - {title}")
        return 1

    def first(docs: list[Doc], kind: str, name_part: str = "") -> Doc:
        return next(d for d in docs if d["kind"] == kind and name_part in d["metadata"]["name"])

    def container(docs: list[Doc], kind: str = "Deployment", name_part: str = "intake-api") -> Doc:
        pod = pod_template(first(docs, kind, name_part))
        assert pod is not None
        found: Doc = pod["spec"]["containers"][0]
        return found

    def purge(docs: list[Doc]) -> Doc:
        return first(docs, "CronJob", "volunteers-purge-clearances")

    def env_var(docs: list[Doc], name: str) -> Doc:
        return next(v for v in container(docs)["env"] if v["name"] == name)

    def root_user(docs: list[Doc]) -> None:
        container(docs)["securityContext"]["runAsUser"] = 0

    def host_path(docs: list[Doc]) -> None:
        pod = pod_template(first(docs, "Deployment", "housing-relay"))
        assert pod is not None
        pod["spec"]["volumes"].append({"name": "host", "hostPath": {"path": "/var/run"}})

    def no_requests(docs: list[Doc]) -> None:
        del container(docs, "Job", "courses-migrate")["resources"]["requests"]

    def wrong_probe(docs: list[Doc]) -> None:
        probe = container(docs, name_part="volunteers-api")["readinessProbe"]
        probe["httpGet"]["path"] = "/health/live"

    def secret_value(docs: list[Doc]) -> None:
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "intake-db-app", "namespace": NAMESPACE},
                "stringData": {"password": "hunter2"},
            }
        )

    def literal_password(docs: list[Doc]) -> None:
        env_var(docs, "DATABASE_URL")["value"] = (
            "postgresql+asyncpg://intake:hunter2@intake-db-rw:5432/intake"
        )

    def env_order(docs: list[Doc]) -> None:
        env = container(docs)["env"]
        url = next(v for v in env if v["name"] == "DATABASE_URL")
        env.remove(url)
        env.insert(0, url)

    def removed_api_version(docs: list[Doc]) -> None:
        first(docs, "PodDisruptionBudget")["apiVersion"] = "policy/v1beta1"

    def unknown_kind(docs: list[Doc]) -> None:
        docs.append(
            {
                "apiVersion": "example.org/v1",
                "kind": "Widget",
                "metadata": {"name": "w", "namespace": NAMESPACE},
            }
        )

    def no_pss_label(docs: list[Doc]) -> None:
        del first(docs, "Namespace")["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]

    def no_hpa(docs: list[Doc]) -> None:
        docs.remove(first(docs, "HorizontalPodAutoscaler", "notifications-consumer"))

    def no_pdb(docs: list[Doc]) -> None:
        docs.remove(first(docs, "PodDisruptionBudget", "intake-relay"))

    def no_default_deny(docs: list[Doc]) -> None:
        docs.remove(first(docs, "NetworkPolicy", "default-deny"))

    def foreign_database(docs: list[Doc]) -> None:
        policy = first(docs, "NetworkPolicy", "intake-to-database")
        policy["spec"]["egress"][0]["to"].append(
            {"podSelector": {"matchLabels": {"cnpg.io/cluster": "housing-db"}}}
        )
        other = first(docs, "NetworkPolicy", "housing-database")
        other["spec"]["ingress"][0]["from"].append(
            {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "intake"}}}
        )

    def open_egress(docs: list[Doc]) -> None:
        policy = first(docs, "NetworkPolicy", "services-to-broker")
        policy["spec"]["egress"].append({"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]})

    def wrong_secret(docs: list[Doc]) -> None:
        env_var(docs, "DATABASE_PASSWORD")["valueFrom"]["secretKeyRef"]["name"] = "SERVICE-db-app"

    def unlabelled_deployment(docs: list[Doc]) -> None:
        del first(docs, "Deployment", "housing-consumer")["metadata"]["labels"][
            "app.kubernetes.io/component"
        ]

    def bad_job_name(docs: list[Doc]) -> None:
        first(docs, "Job")["metadata"]["name"] = "intake-migrate-1.4.0_RC1"

    def cronjob_in_skipped_hour(docs: list[Doc]) -> None:
        purge(docs)["spec"]["schedule"] = "30 2 * * *"

    def cronjob_other_image(docs: list[Doc]) -> None:
        app = container(docs, "CronJob", "volunteers-purge-clearances")
        app["image"] = app["image"].rsplit(":", 1)[0] + ":0.0.9"

    def cronjob_to_broker(docs: list[Doc]) -> None:
        egress = first(docs, "NetworkPolicy", "services-to-broker")["spec"]["podSelector"]
        broker = next(
            d for d in docs if d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == "broker"
        )
        ingress = broker["spec"]["ingress"][0]["from"][0]
        for selector in (egress, ingress["podSelector"]):
            selector["matchExpressions"][0]["values"].append("purge-clearances")

    def cronjob_first_phase(docs: list[Doc]) -> None:
        del purge(docs)["metadata"]["labels"]["app.kubernetes.io/component"]

    def settings_data(docs: list[Doc]) -> dict[str, str]:
        data: dict[str, str] = first(docs, "ConfigMap", "teilhabe-settings")["data"]
        return data

    def audit_key_value(docs: list[Doc]) -> None:
        variable = env_var(docs, "AUDIT_KEY")
        del variable["valueFrom"]
        variable["value"] = "x" * 40

    def password_value(docs: list[Doc]) -> None:
        variable = env_var(docs, "DATABASE_PASSWORD")
        del variable["valueFrom"]
        variable["value"] = "hunter2"

    def ui_cookie_insecure(docs: list[Doc]) -> None:
        settings_data(docs)["UI_COOKIE_SECURE"] = "false"

    def ui_tool_without_address(docs: list[Doc]) -> None:
        del settings_data(docs)["UI_HOUSING_URL"]

    def ui_url_off_ingress(docs: list[Doc]) -> None:
        settings_data(docs)["UI_INTAKE_URL"] = "https://intake.other.example/ui/"

    def ui_static_elsewhere(docs: list[Doc]) -> None:
        ingress = first(docs, "Ingress")
        rule = next(r for r in ingress["spec"]["rules"] if r["host"].startswith("housing."))
        rule["http"]["paths"].append(
            {
                "path": "/static",
                "pathType": "Prefix",
                "backend": {"service": {"name": "intake-api", "port": {"name": "http"}}},
            }
        )

    def database_jobs_cut_off(docs: list[Doc]) -> None:
        selector = first(docs, "NetworkPolicy", "databases")["spec"]["podSelector"]
        selector.clear()
        selector["matchLabels"] = {"cnpg.io/podRole": "instance"}

    def mail_from_every_pod(docs: list[Doc]) -> None:
        policy = first(docs, "NetworkPolicy", "notifications-outbound")
        del policy["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/component"]

    def smtp_account_in_api(docs: list[Doc]) -> None:
        app = container(docs, name_part="notifications-api")
        app["env"] += [
            {
                "name": "SMTP_PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": "notifications-smtp", "key": "password"}},
            }
        ]

    def docs_public(docs: list[Doc]) -> None:
        docs.remove(first(docs, "Ingress", "not-public"))

    def body_size_mismatch(docs: list[Doc]) -> None:
        annotations = first(docs, "Ingress", "teilhabe-api")["metadata"]["annotations"]
        annotations["nginx.ingress.kubernetes.io/proxy-body-size"] = "1m"

    def cluster_field_typo(docs: list[Doc]) -> None:
        first(docs, "Cluster", "intake-db")["spec"]["instance"] = 3

    def broker_wrong_type(docs: list[Doc]) -> None:
        first(docs, "RabbitmqCluster")["spec"]["replicas"] = "three"

    def backup_unknown_method(docs: list[Doc]) -> None:
        first(docs, "ScheduledBackup")["spec"]["method"] = "barman"

    def object_store_typo(docs: list[Doc]) -> None:
        first(docs, "ObjectStore")["spec"]["configuration"]["wal"]["compresion"] = "gzip"

    def permission_typo(docs: list[Doc]) -> None:
        first(docs, "Permission")["spec"]["permissions"]["writes"] = ".*"

    def owner_in_cronjob(docs: list[Doc]) -> None:
        migration = container(docs, "Job", "volunteers-migrate")
        owner = [v for v in migration["env"] if v["name"].startswith("DATABASE_OWNER")]
        container(docs, "CronJob", "volunteers-purge-clearances")["env"] += owner

    def migration_as_app(docs: list[Doc]) -> None:
        env = container(docs, "Job", "intake-migrate")["env"]
        env[:] = [v for v in env if v["name"] != "DATABASE_MIGRATION_URL"]

    def app_role_superuser(docs: list[Doc]) -> None:
        roles = first(docs, "Cluster", "housing-db")["spec"]["managed"]["roles"]
        next(r for r in roles if r["name"] == "housing_app")["superuser"] = True

    def consumers_over_budget(docs: list[Doc]) -> None:
        first(docs, "HorizontalPodAutoscaler", "courses-consumer")["spec"]["maxReplicas"] = 40

    def pooler_too_small(docs: list[Doc]) -> None:
        pgbouncer = first(docs, "Pooler", "intake-db")["spec"]["pgbouncer"]
        pgbouncer["parameters"]["default_pool_size"] = "20"

    def budget(rendering: Rendering) -> list[str]:
        return list(check_connection_budget(rendering))

    def broker_by_tag(docs: list[Doc]) -> None:
        broker = first(docs, "RabbitmqCluster")
        broker["spec"]["image"] = broker["spec"]["image"].split("@")[0]

    def broker_out_of_support(docs: list[Doc]) -> None:
        broker = first(docs, "RabbitmqCluster")
        broker["spec"]["image"] = "rabbitmq:3.13.7-management@sha256:" + "0" * 64

    def database_by_tag(docs: list[Doc]) -> None:
        first(docs, "Cluster")["spec"]["imageName"] = "ghcr.io/cloudnative-pg/postgresql:16"

    def broker_user_configures(docs: list[Doc]) -> None:
        first(docs, "Permission", "housing-amqp")["spec"]["permissions"]["configure"] = ".*"

    def broker_user_without_topics(docs: list[Doc]) -> None:
        docs.remove(first(docs, "TopicPermission", "intake-amqp"))

    def custom_resources(rendering: Rendering) -> list[str]:
        return custom_resource_problems(rendering.docs, set(BUILTIN_API_VERSIONS))

    mutations: list[
        tuple[str, Callable[[list[Doc]], None], Callable[[Rendering], Iterable[str]]]
    ] = [
        ("container running as root", root_user, lambda r: wl(r, check_pod_identity)),
        ("hostPath volume", host_path, lambda r: wl(r, check_pod_identity)),
        ("Job container without requests", no_requests, lambda r: wl(r, check_requests)),
        ("readiness probe on the liveness path", wrong_probe, lambda r: wl(r, check_probe_paths)),
        ("Secret with a value in the manifests", secret_value, check_no_secrets),
        ("password written into DATABASE_URL", literal_password, check_settings),
        ("$(VAR) used before it is defined", env_order, check_settings),
        ("PodDisruptionBudget on removed policy/v1beta1", removed_api_version, check_api_versions),
        ("unknown custom resource", unknown_kind, check_api_versions),
        ("namespace without PSS enforce label", no_pss_label, check_namespace),
        ("Deployment without autoscaler", no_hpa, check_pdb_hpa),
        ("Deployment without disruption budget", no_pdb, check_pdb_hpa),
        (
            "no default-deny policy",
            no_default_deny,
            lambda r: check_network_policies(r, ingress_namespace),
        ),
        (
            "service reaching another service's database",
            foreign_database,
            lambda r: check_network_policies(r, ingress_namespace),
        ),
        ("egress to anywhere", open_egress, lambda r: check_network_policies(r, ingress_namespace)),
        ("release with characters invalid in a name", bad_job_name, check_names),
        ("credential from a Secret nobody creates", wrong_secret, check_secret_references),
        (
            "Deployment that would roll out before its migration",
            unlabelled_deployment,
            check_upgrade_phases,
        ),
        ("CronJob scheduled in the hour skipped in March", cronjob_in_skipped_hour, check_cronjobs),
        ("CronJob running another image than its service", cronjob_other_image, check_cronjobs),
        (
            "CronJob pods reaching the broker",
            cronjob_to_broker,
            lambda r: check_network_policies(r, ingress_namespace),
        ),
        ("CronJob that would run before its migration", cronjob_first_phase, check_upgrade_phases),
        ("database password written as a value", password_value, check_settings),
        ("audit key written as a value", audit_key_value, check_settings),
        ("staff tools' session cookie sent over HTTP", ui_cookie_insecure, check_settings),
        ("staff tool in UI_TOOLS without its address", ui_tool_without_address, check_settings),
        (
            "staff tool address on a host the Ingress does not serve",
            ui_url_off_ingress,
            check_staff_tools,
        ),
        ("a tool's /static routed to another service", ui_static_elsewhere, check_staff_tools),
        (
            "database initdb and join Jobs without the Kubernetes API",
            database_jobs_cut_off,
            lambda r: check_network_policies(r, ingress_namespace),
        ),
        (
            "SMTP and HTTPS egress for every notifications pod",
            mail_from_every_pod,
            lambda r: check_network_policies(r, ingress_namespace),
        ),
        ("SMTP account in a pod that sends no mail", smtp_account_in_api, check_settings),
        ("/docs, /openapi.json and /metrics passed to the internet", docs_public, check_not_public),
        ("ingress body size other than the services' limit", body_size_mismatch, check_body_size),
        ("database owner's credentials in a CronJob", owner_in_cronjob, check_database_roles),
        ("migration without the owner's URL", migration_as_app, check_database_roles),
        ("app role as superuser", app_role_superuser, check_database_roles),
        ("consumers scaling past the connection budget", consumers_over_budget, budget),
        ("session pooler smaller than its clients", pooler_too_small, budget),
        ("broker user allowed to configure", broker_user_configures, check_broker_users),
        ("broker user without topic permissions", broker_user_without_topics, check_broker_users),
        ("broker image by tag only", broker_by_tag, check_k8s_images),
        ("RabbitMQ 3.13, out of support", broker_out_of_support, check_k8s_images),
        ("PostgreSQL image by tag only", database_by_tag, check_k8s_images),
        ("Cluster with a misspelt field (CRD schema)", cluster_field_typo, custom_resources),
        ("RabbitmqCluster replicas as text (CRD schema)", broker_wrong_type, custom_resources),
        (
            "ScheduledBackup with an unknown method (CRD schema)",
            backup_unknown_method,
            custom_resources,
        ),
        ("ObjectStore with a misspelt field (CRD schema)", object_store_typo, custom_resources),
        ("Permission with a misspelt field (CRD schema)", permission_typo, custom_resources),
    ]

    def wl(rendering: Rendering, check: Callable[[Doc, Doc], Iterable[str]]) -> list[str]:
        return [p for doc, pod in rendering.workloads() for p in check(doc, pod)]

    report = Report()
    print(f"== self-test on {path}")
    for title, mutate, rule in mutations:
        docs = copy.deepcopy(good)
        try:
            mutate(docs)
        except StopIteration:
            report.rule(f"policy catches: {title}", ["the rendering has no object to break"])
            continue
        problems = list(rule(Rendering(path, docs)))
        report.rule(
            f"policy catches: {title}" + (f" ({problems[0]})" if problems else ""),
            [] if problems else ["the broken manifest passed"],
        )
    return summarize(report)

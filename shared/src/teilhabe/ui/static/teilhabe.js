// Progressive enhancement only: every page works without it.
// After a failed submission, move focus to the list of errors so that screen reader and
// keyboard users start there (the summary links to each field).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});

// The review pages' only script: progressive help, every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // The gap map: a cell's explanation is its hover text; selecting it (click, or Tab then
  // Enter/Space, since the cells are buttons) shows it in the live region for keyboard and
  // screen-reader users.
  const detail = document.getElementById("gap-detail");
  if (detail) {
    document.querySelectorAll("button.gap-cell").forEach((cell) => {
      cell.addEventListener("click", () => {
        detail.textContent = cell.title || "";
      });
    });
  }
  // A true match is a serious statement: ask once before recording it.
  document.querySelectorAll("form.adjudicate").forEach((form) => {
    form.addEventListener("submit", (event) => {
      const chosen = form.querySelector("input[name=decision]:checked");
      if (chosen && chosen.value === "true_match" &&
          !window.confirm("Record that this party IS the listed party?")) {
        event.preventDefault();
      }
    });
  });
});
// After a decision, move the focus to its confirmation, inside the hit decided on (after the
// load, so the browser's own scroll to the #hit fragment does not take it back).
window.addEventListener("load", () => {
  const recorded = document.getElementById("recorded");
  if (recorded) {
    recorded.setAttribute("tabindex", "-1");
    window.requestAnimationFrame(() => recorded.focus());
  }
});

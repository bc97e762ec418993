// All of the site's JavaScript. The Content-Security-Policy allows no inline script or
// event handler, so templates say what they need with data- attributes instead.
"use strict";

// <button data-confirm="Refund this amount?">: submit only when the admin says OK.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// <select data-autosubmit>: a filter or sort applies as soon as it changes.
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-autosubmit]")) {
    event.target.form.requestSubmit();
  }
});

// <form data-submit-on-load>: posts itself (the Switch to hand-off); its button is the fallback.
document.querySelectorAll("form[data-submit-on-load]").forEach((form) => form.submit());

// Add customer: show only the fields of the chosen mode; without JavaScript both stay visible.
const modeRadios = document.querySelectorAll("input[name=mode]");
function showChosenMode() {
  const mode = document.querySelector("input[name=mode]:checked")?.value || "new";
  document.querySelectorAll(".mode-panel").forEach((panel) => {
    panel.hidden = panel.dataset.mode !== mode;
  });
}
if (modeRadios.length) {
  modeRadios.forEach((radio) => radio.addEventListener("change", showChosenMode));
  showChosenMode();
}

// After a failed save the error summary takes the focus, so it is read out first and
// each of its links leads to a field.
document.getElementById("error-summary")?.focus();

// Customer list: the header checkbox ticks every row of the page.
document.querySelector("[data-select-all]")?.addEventListener("change", (event) => {
  document.querySelectorAll("input[name=ids][form=bulk]").forEach((box) => {
    box.checked = event.target.checked;
  });
});

// <input type="hidden" data-carry="id_x">: on submit, its form takes along what was typed
// into #id_x, a field of another form (the delete page's confirmation, when searching).
document.addEventListener("submit", (event) => {
  event.target.querySelectorAll("input[data-carry]").forEach((input) => {
    input.value = document.getElementById(input.dataset.carry)?.value || "";
  });
});

// <textarea data-count-lines="id">: the element #id says how many lines are not blank
// (Add many sites: how many sites the list makes), as the server does on each answer.
document.querySelectorAll("textarea[data-count-lines]").forEach((area) => {
  const count = document.getElementById(area.dataset.countLines);
  area.addEventListener("input", () => {
    if (count) count.textContent = area.value.split(/\r\n|\r|\n/).filter((l) => l.trim()).length;
  });
});

// A run's page (customers/run.html) follows its job: while the region carries
// data-refresh, the page is fetched again every few seconds and the region swapped in
// place, so the reader keeps their place; without JavaScript a <noscript> refresh reloads.
function followRun(region) {
  window.setTimeout(async () => {
    let current = region;
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      if (response.redirected) {
        return; // signed out meanwhile: the login page has no run to follow
      }
      if (response.ok) {
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.getElementById(region.id);
        if (fresh) {
          region.replaceWith(fresh);
          current = fresh;
        }
      }
    } catch {
      // The network hiccupped: the next turn tries again.
    }
    if (current.dataset.refresh) followRun(current);
  }, (Number(region.dataset.refresh) || 2) * 1000);
}
const runRegion = document.querySelector("[data-refresh]");
if (runRegion) followRun(runRegion);

// On a phone a wide table scrolls sideways inside itself (app.css); one that does is made
// reachable by keyboard, so its hidden columns can be scrolled to without a mouse.
function focusableScrollingTables() {
  document.querySelectorAll(".table:not(.stack)").forEach((table) => {
    if (table.scrollWidth > table.clientWidth + 1) {
      table.tabIndex = 0;
    } else {
      table.removeAttribute("tabindex");
    }
  });
}
focusableScrollingTables();
window.addEventListener("resize", focusableScrollingTables);

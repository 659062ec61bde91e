// app.js starts GOV.UK Frontend on every page. It is an ES module loaded from
// the page head with <script type="module" src="/static/app.js">, so it runs
// once the document is parsed, and it is a file rather than an inline script
// because the Content-Security-Policy allows scripts from 'self' only.
import { initAll } from "./govuk-frontend-5.14.0.min.js";

// GOV.UK Frontend's template adds these classes with an inline script.
// govuk-frontend-supported means "this browser runs ES modules", which is
// true wherever this module runs.
document.body.classList.add("js-enabled", "govuk-frontend-supported");

initAll();

// initAll finds components below its scope, not the scope itself, and an
// outerHTML swap fires on the new element, which may itself be a component
// root. So start from the parent and let the components already set up there
// refuse quietly: GOV.UK Frontend reports them with an InitError.
function initSwapped(evt) {
  const elt = evt.detail.elt;
  initAll({
    scope: elt.parentElement ?? elt,
    onError(error) {
      if (error.name !== "InitError") {
        console.error(error);
      }
    },
  });
}

// htmx fires htmx:afterSwap on the target or the swapped-in elements, and
// htmx:oobAfterSwap on out-of-band ones; both bubble to the document.
document.addEventListener("htmx:afterSwap", initSwapped);
document.addEventListener("htmx:oobAfterSwap", initSwapped);

// A long list of checkboxes (a service's categories) gets a box that narrows
// it as you type. Without JavaScript the box stays hidden and every checkbox
// shows; ticked ones always stay in view.
function showFilters(root) {
  for (const input of root.querySelectorAll("[data-filter-list]")) {
    input.closest("[hidden]")?.removeAttribute("hidden");
  }
}

document.addEventListener("input", (evt) => {
  const input = evt.target;
  if (!(input instanceof HTMLInputElement) || !input.dataset.filterList) {
    return;
  }
  const list = document.getElementById(input.dataset.filterList);
  if (!list) {
    return;
  }
  const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  const items = list.querySelectorAll(".govuk-checkboxes__item");
  for (const item of items) {
    const text = item.textContent.toLowerCase();
    const ticked = item.querySelector("input:checked") !== null;
    const match = ticked || words.every((w) => text.includes(w));
    item.hidden = !match;
    if (match) {
      shown++;
    }
  }
  const count = document.getElementById(input.getAttribute("aria-describedby"));
  if (count) {
    count.textContent = words.length ? `${shown} of ${items.length} categories shown` : "";
  }
});

showFilters(document);
document.addEventListener("htmx:afterSwap", (evt) => showFilters(evt.detail.elt.parentElement ?? evt.detail.elt));

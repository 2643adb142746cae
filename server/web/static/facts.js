// A resource page's citations: the sentence of a fact shows on hover and on keyboard focus (CSS); Escape
// hides it again without moving the focus (WCAG 1.4.13), until the pointer or the focus moves on.
(function () {
  "use strict";
  var root = document.documentElement;
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") root.classList.add("tips-hidden");
  });
  function show() { root.classList.remove("tips-hidden"); }
  document.addEventListener("focusin", show);
  document.addEventListener("mouseover", function (event) {
    if (event.target.closest && event.target.closest(".cite")) show();
  });
})();

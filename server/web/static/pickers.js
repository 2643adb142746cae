// A saved query's form: the filter box above a long list of choices hides the options whose name does not
// contain the text typed, without regard to case or accents (each option's data-match holds its name as
// the server normalised it: server.web.pages.search_index.normalise).
(function () {
  "use strict";
  function normalised(text) {
    return text.toLowerCase().normalize("NFKD").replace(/\p{M}+/gu, "").replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[data-filter-for]"), function (box) {
    var select = document.getElementById(box.getAttribute("data-filter-for"));
    if (!select) return;
    box.addEventListener("input", function () {
      var words = normalised(box.value).split(" ").filter(Boolean);
      var firstShown = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var match = " " + (option.getAttribute("data-match") || normalised(option.text));
        var shown = !option.value || words.every(function (w) { return match.indexOf(" " + w) >= 0 || match.indexOf(w) >= 0; });
        option.hidden = !shown;
        if (shown && option.value && !firstShown) firstShown = option;
      });
      if (firstShown && select.selectedOptions[0] && select.selectedOptions[0].hidden) firstShown.selected = true;
    });
  });
})();

// Reception desk: filters the list of registrants as the search box is
// typed in. Without JavaScript the search form filters on the server.
(function () {
  "use strict";
  var input = document.querySelector("input[data-filter]");
  if (!input) { return; }
  var list = document.getElementById(input.getAttribute("data-filter"));
  var empty = document.getElementById("desk-empty");
  if (!list) { return; }
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
  }
  function filter() {
    var q = fold(input.value);
    var shown = 0;
    var rows = list.querySelectorAll("li[data-search]");
    for (var i = 0; i < rows.length; i++) {
      var match = q === "" || rows[i].getAttribute("data-search").indexOf(q) !== -1;
      rows[i].hidden = !match;
      if (match) { shown++; }
    }
    if (empty) { empty.hidden = shown !== 0; }
  }
  input.addEventListener("input", filter);
})();

(function () {
  "use strict";
  function sortKey(row, column, numeric) {
    var raw = row.cells[column].getAttribute("data-value");
    if (!numeric) { return raw; }
    var number = parseFloat(raw);
    return isNaN(number) ? -Infinity : number;
  }
  function compare(x, y, numeric) {
    if (!numeric) { return x.localeCompare(y); }
    return x === y ? 0 : (x < y ? -1 : 1);
  }
  function sortTable(table, column, header) {
    var numeric = header.getAttribute("data-type") === "number";
    var current = header.getAttribute("aria-sort");
    var descending = current ? current === "ascending" : numeric;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var order = compare(sortKey(a, column, numeric), sortKey(b, column, numeric), numeric);
      return descending ? -order : order;
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
    rows.forEach(function (row) { body.appendChild(row); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.board"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
      header.querySelector("button").addEventListener("click", function () {
        sortTable(table, column, header);
      });
    });
  });
})();

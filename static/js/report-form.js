// The report form: a running count of the fields a submission needs (marked
// data-required by reports.forms.ReportForm) that are still empty, so a reporter learns
// what is missing while typing rather than only when submitting. A static file: the
// Content-Security-Policy forbids inline scripts.
(function () {
  var form = document.getElementById("report-form");
  var counter = document.getElementById("con-thieu");
  if (!form || !counter) {
    return;
  }
  var fields = form.querySelectorAll("[data-required]");

  function missing() {
    var count = 0;
    fields.forEach(function (field) {
      if (!field.value || !field.value.trim()) {
        count += 1;
      }
    });
    return count;
  }

  var shown = null;
  function update() {
    var count = missing();
    if (count === shown) {
      return; // unchanged: do not make screen readers repeat it
    }
    shown = count;
    counter.textContent = count
      ? counter.dataset.some.replace("{n}", String(count))
      : counter.dataset.none;
    counter.classList.toggle("text-success", count === 0);
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();

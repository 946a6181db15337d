// File fields (templates/bootstrap5/layout/field_file.html): the real input is visually
// hidden, so the name of the chosen file is written next to the "Chọn tệp" button.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-file-picker]").forEach(function (picker) {
    var input = picker.querySelector("input[type=file]");
    var name = picker.querySelector("[data-file-name]");
    if (!input || !name) {
      return;
    }
    var show = function () {
      var files = Array.prototype.map.call(input.files || [], function (file) {
        return file.name;
      });
      name.textContent = files.length ? files.join(", ") : name.dataset.empty;
      name.title = files.join(", ");
    };
    input.addEventListener("change", show);
    show();
  });
});

// Forms marked data-submit-once send once: a double click must not send twice. The
// server refuses a second submission anyway; this only spares people the surprise.
document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (form.dataset.sent === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    var clicked = event.submitter;
    if (clicked && clicked.name) {
      // A disabled button's name is not sent, so carry it in a hidden field.
      var carry = document.createElement("input");
      carry.type = "hidden";
      carry.name = clicked.name;
      carry.value = clicked.value;
      form.appendChild(carry);
    }
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = true;
    });
  });
});

// A button marked data-print opens the browser's print dialog (no inline handlers: the
// Content-Security-Policy forbids them).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () {
    window.print();
  });
});

// Forms marked data-confirm ask before they are sent (a step that changes many parts at
// once, such as recomposing the yearly summary's draft).
document.querySelectorAll("form[data-confirm]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  });
});

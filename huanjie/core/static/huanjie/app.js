// Confirmation before destructive or state-changing actions: <form data-confirm="...">.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm) {
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }
}, true);

// Confirmation on any button or link that carries data-confirm (import buttons, formaction
// buttons): the form-level handler above only sees the form's own data-confirm.
document.addEventListener("click", function (event) {
  var el = event.target instanceof Element ? event.target.closest("button[data-confirm], input[data-confirm], a[data-confirm]") : null;
  if (el && !window.confirm(el.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// Forms never lose what was typed: a refused form's values come back (core/kept.py).
document.addEventListener("DOMContentLoaded", function () {
  var node = document.getElementById("kept-form");
  if (!node) { return; }
  var kept;
  try { kept = JSON.parse(node.textContent); } catch (e) { return; }
  if (!kept || !kept.data) { return; }
  var forms = Array.prototype.filter.call(document.forms, function (form) {
    var action = form.getAttribute("action") ? new URL(form.action, window.location.href).pathname : window.location.pathname;
    if (action !== kept.action) { return false; }
    // Several forms may post to one address (one per item): the hidden fields tell them apart.
    return Array.prototype.every.call(form.querySelectorAll("input[type=hidden]"), function (h) {
      if (h.name === "csrfmiddlewaretoken" || !(h.name in kept.data)) { return true; }
      return kept.data[h.name].indexOf(h.value) >= 0;
    });
  });
  forms.forEach(function (form) {
    Object.keys(kept.data).forEach(function (name) {
      var values = kept.data[name];
      var fields = form.querySelectorAll("[name='" + name.replace(/'/g, "\\'") + "']");
      var seen = 0;
      Array.prototype.forEach.call(fields, function (field) {
        if (field.type === "hidden" || field.type === "file" || field.type === "submit") { return; }
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = values.indexOf(field.value) >= 0;
        } else if (field.tagName === "SELECT" && field.multiple) {
          Array.prototype.forEach.call(field.options, function (o) { o.selected = values.indexOf(o.value) >= 0; });
        } else if (seen < values.length) {
          field.value = values[seen];
          seen += 1;
        }
      });
    });
    form.classList.add("kept");
  });
});

// Person-search widget (templates/core/_person_field.html): picking a match fills the field.
document.addEventListener("click", function (event) {
  var option = event.target instanceof Element ? event.target.closest(".pick-option") : null;
  if (!option) { return; }
  var input = document.getElementById(option.dataset.pickTarget);
  if (!input) { return; }
  var label = option.dataset.pickLabel.replace(/[<>&"]/g, "");
  if (input.tagName === "TEXTAREA") {
    // A list of people (十人联名): the picked person is added as a line "姓名 身份证号码", once.
    var lines = input.value.split("\n").filter(function (l) { return l.trim() !== ""; });
    var already = lines.some(function (l) { return l.indexOf(option.dataset.pickValue) >= 0; });
    if (!already) { lines.push(option.dataset.pickLabel + " " + option.dataset.pickValue); }
    input.value = lines.join("\n") + "\n";
    var search = document.getElementById(option.dataset.pickTarget + "-search");
    var listBox = document.getElementById(option.dataset.pickTarget + "-results");
    if (listBox) { listBox.innerHTML = '<p class="muted picked">' + (already ? "已在名单中：" : "已加入：") + label + "（名单共 " + lines.length + " 人）</p>"; }
    if (search) { search.value = ""; search.focus(); }
    return;
  }
  input.value = option.dataset.pickValue;
  input.dataset.pickedName = option.dataset.pickLabel;
  var box = document.getElementById(option.dataset.pickTarget + "-results");
  if (box) { box.innerHTML = '<p class="muted picked">已选：' + label + "</p>"; }
  input.focus();
});

// Enter in a search box (a list of people) searches; it does not submit the half-filled form.
document.addEventListener("keydown", function (event) {
  if (event.key === "Enter" && event.target instanceof Element && event.target.classList.contains("person-search")) {
    event.preventDefault();
  }
});

// A step chooser whose options carry their own default date (elections/election_detail.html):
// choosing a step puts that step's default (or nothing, with the hint why) into the date field.
document.addEventListener("change", function (event) {
  var select = event.target;
  if (!(select instanceof HTMLSelectElement) || !select.dataset.dateDefaults) { return; }
  var input = document.getElementById(select.dataset.dateDefaults);
  var option = select.options[select.selectedIndex];
  if (!input || !option) { return; }
  input.value = option.dataset.defaultDate || "";
  var hint = document.getElementById(select.dataset.dateDefaults + "-hint");
  if (hint) { hint.textContent = option.dataset.dateHint || ""; }
});

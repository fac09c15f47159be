// Document library: the template editor shows the file or the HTML part as the chosen form
// says, with the chosen kind's accepted files and size limit; the preview form reloads when
// the firm or the version changes. No inline scripts (CSP).
(function () {
  "use strict";

  function rules() {
    var data = document.getElementById("template-kind-rules");
    return data ? JSON.parse(data.textContent) : {};
  }

  function syncEditor(form) {
    var kind = form.querySelector("[data-template-kind]");
    var rule = (kind && rules()[kind.value]) || null;
    var htmlChoice = form.querySelector("input[name='form'][value='html']");
    if (htmlChoice && rule) {
      htmlChoice.disabled = !rule.html;
      if (!rule.html && htmlChoice.checked) {
        form.querySelector("input[name='form'][value='file']").checked = true;
      }
    }
    var chosen = form.querySelector("input[name='form']:checked");
    var shown = chosen ? chosen.value : "file";
    document.querySelectorAll("[data-template-part]").forEach(function (part) {
      part.hidden = part.dataset.templatePart !== shown;
    });
    var file = form.querySelector("[data-template-file]");
    var text = form.querySelector("[data-template-rules]");
    if (rule && file) { file.setAttribute("accept", rule.accept); }
    if (rule && text) {
      text.textContent = text.dataset.templateRules
        .replace("%(types)s", rule.types).replace("%(limit)s", rule.limit);
    }
  }

  document.addEventListener("change", function (event) {
    var editor = event.target.closest && event.target.closest("[data-template-editor]");
    if (editor) { syncEditor(editor); return; }
    var preview = event.target.closest && event.target.closest("[data-preview-form]");
    if (preview && event.target.name) { preview.requestSubmit(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-template-editor]").forEach(syncEditor);
  });
})();

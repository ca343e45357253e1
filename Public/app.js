// ClientOne Console: small enhancements on top of pages that work without JavaScript.
// Loaded from /static (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";

  // Buttons that only make sense with JavaScript are rendered hidden and shown here.
  document.querySelectorAll("[data-js-only]").forEach(function (element) {
    element.hidden = false;
  });

  // "Copy Codes" / "Copy secret": copies the text of the element named by data-copy.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source || !navigator.clipboard) return;
      var items = source.querySelectorAll("li");
      var text = items.length
        ? Array.prototype.map.call(items, function (li) { return li.textContent.trim(); }).join("\n")
        : source.textContent.trim();
      var label = button.textContent;
      navigator.clipboard.writeText(text).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();

// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.querySelectorAll("button.copy[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      var status = button.parentElement.querySelector(".copy-status");
      if (!target) { return; }
      var text = target.textContent.trim();
      var done = function () { if (status) { status.textContent = "Copied."; } };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () {
          if (status) { status.textContent = "Copying failed: select the text and copy it."; }
        });
      }
    });
  });
})();

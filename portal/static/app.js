// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.querySelectorAll("button.copy[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      var status = button.parentElement.querySelector(".copy-status");
      if (!target) { return; }
      var text = target.textContent.trim();
      // the page gives the messages in its language (data-copied, data-copy-failed)
      var done = function () { if (status) { status.textContent = button.getAttribute("data-copied") || ""; } };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () {
          if (status) { status.textContent = button.getAttribute("data-copy-failed") || ""; }
        });
      }
    });
  });
})();

// Annotating: a selection in the document text fills the annotation form with its offsets.
(function () {
  "use strict";
  var text = document.getElementById("doc-text");
  var form = document.getElementById("annotate-form");
  if (!text || !form) { return; }
  function paragraphOf(node) {
    while (node && node !== text) {
      if (node.nodeType === 1 && node.hasAttribute("data-start")) { return node; }
      node = node.parentNode;
    }
    return null;
  }
  function offsetIn(paragraph, container, offset) {
    var range = document.createRange();
    range.setStart(paragraph, 0);
    range.setEnd(container, offset);
    return parseInt(paragraph.getAttribute("data-start"), 10) + range.toString().length;
  }
  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    var first = paragraphOf(range.startContainer);
    var last = paragraphOf(range.endContainer);
    if (!first || !last) { return; }
    var start = offsetIn(first, range.startContainer, range.startOffset);
    var end = offsetIn(last, range.endContainer, range.endOffset);
    if (end <= start) { return; }
    document.getElementById("annotate-start").value = start;
    document.getElementById("annotate-end").value = end;
    var quote = first === last ? range.toString() : "";
    document.getElementById("annotate-quote").value = quote;
    document.getElementById("annotate-preview").textContent = range.toString();
  });
})();

// Annotating in place: after a selection (mouse, or Shift and the arrow keys) the form moves
// next to the selected passage and is the next stop of Tab; Escape or "Close" puts it back.
(function () {
  "use strict";
  var text = document.getElementById("doc-text");
  var section = document.querySelector("section.annotate");
  var close = document.getElementById("annotate-close");
  if (!text || !section || !close) { return; }
  var home = document.createComment("annotate-form-home");
  section.parentNode.insertBefore(home, section);
  function paragraphOf(node) {
    while (node && node !== text) {
      if (node.nodeType === 1 && node.hasAttribute("data-start")) { return node; }
      node = node.parentNode;
    }
    return null;
  }
  function putBack() {
    home.parentNode.insertBefore(section, home.nextSibling);
    section.classList.remove("inline-open");
    close.hidden = true;
  }
  function openNextToSelection() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
    var last = paragraphOf(selection.getRangeAt(0).endContainer);
    if (!last || !document.getElementById("annotate-end").value) { return; }
    if (last.nextSibling !== section) { last.parentNode.insertBefore(section, last.nextSibling); }
    section.classList.add("inline-open");
    close.hidden = false;
  }
  text.addEventListener("mouseup", function () { window.setTimeout(openNextToSelection, 0); });
  document.addEventListener("keyup", function (event) {
    if (event.key === "Escape" && section.classList.contains("inline-open")) {
      putBack();
      return;
    }
    if (event.shiftKey && text.contains(document.getSelection().anchorNode)) { openNextToSelection(); }
  });
  close.addEventListener("click", putBack);
})();

/* Progressive enhancement of the comment tree: inline reply and quote forms, quoting
   the selected text, votes without a page load. Every action also works without it. */
(function () {
  "use strict";
  var form = document.querySelector("[data-comment-form]");
  var live = document.querySelector("[data-live]");
  var home = form && form.parentNode;
  var homeNext = form && form.nextSibling;

  function field(name) { return form.querySelector('[data-field="' + name + '"]'); }
  function say(text) { if (live) { live.textContent = text; } }

  // A mouse press on the Quote button collapses the reader's selection before the
  // click arrives, so the selection is kept at mousedown. Keyboard focus keeps it anyway.
  var stashed = null;
  document.addEventListener("mousedown", function (event) {
    if (!event.target.closest('[data-action="quote"], [data-action="quote-article"]')) { return; }
    var sel = window.getSelection && window.getSelection();
    stashed = sel && !sel.isCollapsed && sel.rangeCount ? sel.getRangeAt(0).cloneRange() : null;
  }, true);

  function selectionInside(el) {
    var range = stashed;
    stashed = null;
    var sel = window.getSelection && window.getSelection();
    if (!range && sel && !sel.isCollapsed && sel.rangeCount) { range = sel.getRangeAt(0); }
    if (!range || !el.contains(range.commonAncestorContainer)) { return ""; }
    return range.toString().replace(/\s+/g, " ").trim();
  }

  function setQuote(text, author, commentId, ofArticle) {
    var box = field("quote-box");
    field("quote_text").value = text || "";
    field("quote_comment").value = commentId || "";
    field("quote_target").value = ofArticle ? "1" : "";
    field("quote-author").textContent = author || "";
    box.hidden = !text;
  }

  function openReply(li, quoteText) {
    var author = li.getAttribute("data-author");
    field("parent").value = li.getAttribute("data-comment");
    field("title").textContent = "Reply to " + author;
    form.querySelector('[data-action="cancel-reply"]').hidden = false;
    var box = li.querySelector(".c__box");
    box.parentNode.insertBefore(form, box.nextSibling);
    if (quoteText !== undefined) {
      setQuote(quoteText, author, li.getAttribute("data-comment"), false);
    } else {
      setQuote("", "", "", false);
    }
    form.querySelector("#comment-body").focus();
    say("Reply form opened under the comment of " + author + ".");
  }

  function resetForm() {
    field("parent").value = "";
    field("title").textContent = "Your comment";
    setQuote("", "", "", false);
    form.querySelector('[data-action="cancel-reply"]').hidden = true;
    home.insertBefore(form, homeNext);
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-action]");
    if (!target || !form) { return; }
    var action = target.getAttribute("data-action");
    var li = target.closest("[data-comment]");
    if (action === "reply" && li) {
      event.preventDefault();
      openReply(li);
    } else if (action === "quote" && li) {
      event.preventDefault();
      var text = li.querySelector(".c__text");
      var chosen = selectionInside(text) || text.innerText.replace(/\s+/g, " ").trim();
      openReply(li, chosen);
    } else if (action === "quote-article") {
      event.preventDefault();
      var article = document.querySelector("[data-article-body]");
      if (!article) { return; }
      var picked = selectionInside(article);
      if (!picked) {
        var lead = document.querySelector("[data-article-lead]") || article.querySelector("p");
        picked = lead ? lead.innerText.replace(/\s+/g, " ").trim() : "";
      }
      var title = document.querySelector("h1");
      setQuote(picked, title ? title.innerText : "the article", "", true);
      field("quote_text").focus();
      say("Quote of the article added; edit it to keep only what you answer.");
    } else if (action === "unquote") {
      event.preventDefault();
      setQuote("", "", "", false);
      form.querySelector("#comment-body").focus();
    } else if (action === "cancel-reply") {
      event.preventDefault();
      resetForm();
    }
  });

  if (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector(".d-form__submit");
      // A second click must not post twice; the server also dedupes by client_token.
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  }

  document.addEventListener("submit", function (event) {
    var voteForm = event.target.closest(".c__vote");
    if (!voteForm || !window.fetch) { return; }
    event.preventDefault();
    var button = event.submitter;
    var data = new FormData(voteForm);
    if (button) { data.set("value", button.value); }
    fetch(voteForm.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, json: json }; });
    }).then(function (result) {
      if (!result.ok) { say(result.json.message || "The vote was not counted."); return; }
      var li = voteForm.closest("[data-comment]");
      var score = result.json.score;
      li.querySelector("[data-score]").textContent = score > 0 ? "+" + score : String(score);
      var up = voteForm.querySelector(".c__vote-up");
      var down = voteForm.querySelector(".c__vote-down");
      var mine = result.json.my_vote;
      up.setAttribute("aria-pressed", mine === 1 ? "true" : "false");
      down.setAttribute("aria-pressed", mine === -1 ? "true" : "false");
      up.value = mine === 1 ? "0" : "1";
      down.value = mine === -1 ? "0" : "-1";
      say("Vote counted. Score " + score + ".");
    }).catch(function () { say("The vote could not be sent; check your connection."); });
  });
})();

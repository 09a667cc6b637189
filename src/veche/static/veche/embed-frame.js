/* The discussion frame (served by Veche, framed by an allowed site). It reads and
   writes through /api/v1 with a bearer token kept in this frame's storage: a
   cross-site frame gets no session cookie (SameSite=Lax, third-party cookie blocking),
   so the token from the sign-in pop-up or the host's SSO is what signs it in. */
(function () {
  "use strict";
  var body = document.body;
  var threadId = body.dataset.thread;
  var apiBase = body.dataset.api;
  var hostOrigin = body.dataset.hostOrigin;
  var KEY = "veche-token";
  var state = { token: null, me: null, page: 1, sort: "oldest" };
  var $ = function (id) { return document.getElementById(id); };
  var list = $("v-list"), form = $("v-form"), statusEl = $("v-status");

  try { state.token = window.localStorage.getItem(KEY); } catch (e) { state.token = null; }

  function saveToken(token) {
    state.token = token;
    try {
      if (token) window.localStorage.setItem(KEY, token);
      else window.localStorage.removeItem(KEY);
    } catch (e) { /* storage blocked: the token lives as long as the page */ }
  }

  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function call(method, path, data) {
    var headers = { Accept: "application/json" };
    if (state.token) headers.Authorization = "Bearer " + state.token;
    else if (method !== "GET") headers["X-CSRFToken"] = csrf();
    if (data !== undefined) headers["Content-Type"] = "application/json";
    return fetch(apiBase + path, {
      method: method,
      headers: headers,
      credentials: "same-origin",
      body: data === undefined ? undefined : JSON.stringify(data)
    }).then(function (r) {
      if (r.status === 204) return { status: 204, data: null };
      return r.json().then(function (json) {
        if (r.status === 401 && state.token) { saveToken(null); setMe(null); }
        return { status: r.status, data: json };
      });
    });
  }

  function say(text) { statusEl.textContent = text; }

  function setMe(me) {
    state.me = me;
    $("v-who").textContent = me ? "Signed in as " + me.name : "";
    $("v-signin").hidden = !!me;
    $("v-signout").hidden = !me;
    form.hidden = !(me && me.can_participate);
    if (me && !me.can_participate) say(me.refusal);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(label, action, id, extra) {
    var b = el("button", "v-btn", label);
    b.type = "button";
    b.dataset.action = action;
    b.dataset.id = id;
    if (extra) Object.keys(extra).forEach(function (k) { b.setAttribute(k, extra[k]); });
    return b;
  }

  function renderComment(c) {
    var li = el("li", "v-c");
    li.id = "c" + c.id;
    var art = el("article", c.author ? "v-box" : "v-box v-box--gone");
    art.setAttribute("aria-labelledby", "c" + c.id + "-h");
    var head = el("header", "v-c-head");
    head.id = "c" + c.id + "-h";
    if (c.author) {
      var img = el("img", "v-avatar");
      img.src = c.author.avatar; img.alt = ""; img.width = 24; img.height = 24;
      head.appendChild(img);
      var name = c.author.profile ? el("a", "v-author", c.author.name) : el("span", "v-author", c.author.name);
      if (c.author.profile) { name.href = c.author.profile; name.target = "_blank"; name.rel = "noopener"; }
      head.appendChild(name);
      var time = el("time", "v-time", new Date(c.created).toLocaleString());
      time.dateTime = c.created;
      head.appendChild(document.createTextNode(" "));
      head.appendChild(time);
      if (c.status === "pending") head.appendChild(el("span", "v-pending", " awaiting moderation"));
    } else {
      head.appendChild(el("span", "v-gone", c.status === "deleted" ? "Comment deleted" : "Comment removed"));
    }
    art.appendChild(head);
    if (c.author) {
      if (c.quote) {
        var q = el("blockquote", "v-quote", c.quote.text);
        q.setAttribute("aria-label", "Quote of " + c.quote.author_name);
        art.appendChild(q);
      }
      var text = el("div", "v-text");
      text.innerHTML = c.html; // sanitised by Veche's Markdown renderer
      art.appendChild(text);
      var bar = el("p", "v-bar");
      var score = el("span", "v-score", (c.score > 0 ? "+" : "") + c.score);
      score.setAttribute("aria-label", "Score " + c.score);
      bar.appendChild(score);
      var me = state.me;
      if (me && me.can_participate && c.status === "published") {
        if (c.author.username !== me.username) {
          bar.appendChild(button("▲", "vote", c.id, { "data-value": c.my_vote === 1 ? 0 : 1, "aria-label": "Vote up", "aria-pressed": String(c.my_vote === 1) }));
          bar.appendChild(button("▼", "vote", c.id, { "data-value": c.my_vote === -1 ? 0 : -1, "aria-label": "Vote down", "aria-pressed": String(c.my_vote === -1) }));
        }
        bar.appendChild(button("Reply", "reply", c.id, { "aria-label": "Reply to " + c.author.name }));
      }
      if (me && c.author.username === me.username && c.status !== "deleted") {
        bar.appendChild(button("Delete", "delete", c.id));
      }
      art.appendChild(bar);
    }
    li.appendChild(art);
    if (c.replies.length) {
      var ol = el("ol", "v-list v-replies");
      c.replies.forEach(function (r) { ol.appendChild(renderComment(r)); });
      li.appendChild(ol);
    }
    if (c.more_replies || (c.continues && !c.replies.length)) {
      var more = el("a", "v-more", c.more_replies ? c.more_replies + " more replies on Veche" : "Continue this thread on Veche");
      more.href = c.url; more.target = "_blank"; more.rel = "noopener";
      li.appendChild(more);
    }
    return li;
  }

  function load(focusId) {
    var path = "/threads/" + threadId + "/comments?page=" + state.page + "&sort=" + state.sort;
    return call("GET", path).then(function (r) {
      if (r.status !== 200) { say(r.data.message || "The comments could not be loaded."); return; }
      var page = r.data;
      $("v-count").textContent = "(" + page.thread.comment_count + ")";
      list.textContent = "";
      page.comments.forEach(function (c) { list.appendChild(renderComment(c)); });
      if (!page.comments.length) list.appendChild(el("li", "v-empty", "No comments yet."));
      var nav = $("v-pages");
      nav.textContent = "";
      for (var n = 1; page.page_count > 1 && n <= page.page_count; n++) {
        var b = button(String(n), "page", n, n === page.page ? { "aria-current": "page" } : null);
        nav.appendChild(b);
      }
      if (focusId) {
        var target = document.getElementById("c" + focusId);
        if (target) { target.tabIndex = -1; target.focus(); }
      }
    });
  }

  function post(textarea, parent, errorEl) {
    var data = { body: textarea.value, client_token: String(Date.now()) + Math.random().toString(36).slice(2) };
    if (parent) data.parent = Number(parent);
    return call("POST", "/threads/" + threadId + "/comments", data).then(function (r) {
      if (r.status === 201 || r.status === 202) {
        textarea.value = "";
        errorEl.textContent = "";
        say(r.status === 202 ? "Your comment awaits moderation." : "Your comment is published.");
        return load(r.data.id);
      }
      errorEl.textContent = r.data.message || "The comment was not posted.";
      if (r.status === 429 && r.data.retry_after) errorEl.textContent += " Try again in " + r.data.retry_after + " s.";
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    post($("v-body"), null, form.querySelector(".v-error"));
  });

  function replyForm(id, li) {
    var existing = li.querySelector(":scope > form");
    if (existing) { existing.querySelector("textarea").focus(); return; }
    var f = el("form", "v-form v-reply");
    var label = el("label", "", "Your reply");
    var ta = el("textarea");
    ta.id = "v-reply-" + id; ta.rows = 3; ta.required = true;
    ta.maxLength = Number(body.dataset.maxLength);
    label.htmlFor = ta.id;
    var err = el("p", "v-error"); err.setAttribute("role", "alert");
    var send = el("button", "", "Post reply"); send.type = "submit";
    var cancel = button("Cancel", "cancel", id);
    f.append(label, ta, err, send, cancel);
    f.addEventListener("submit", function (event) { event.preventDefault(); post(ta, id, err); });
    li.querySelector(":scope > article").after(f);
    ta.focus();
  }

  list.addEventListener("click", function (event) {
    var b = event.target.closest("button[data-action]");
    if (!b) return;
    var id = b.dataset.id, li = document.getElementById("c" + id);
    if (b.dataset.action === "reply") replyForm(id, li);
    else if (b.dataset.action === "cancel") { b.form.remove(); li.querySelector("[data-action=reply]").focus(); }
    else if (b.dataset.action === "vote") {
      call("POST", "/comments/" + id + "/vote", { value: Number(b.dataset.value) }).then(function (r) {
        if (r.status === 200) load(id); else say(r.data.message);
      });
    } else if (b.dataset.action === "delete") {
      call("DELETE", "/comments/" + id).then(function (r) {
        if (r.status === 204) { say("Comment deleted."); load(); } else say(r.data.message);
      });
    }
  });
  $("v-pages").addEventListener("click", function (event) {
    var b = event.target.closest("button[data-action=page]");
    if (b) { state.page = Number(b.dataset.id); load().then(function () { $("v-title").focus(); }); }
  });

  function refreshMe() {
    return call("GET", "/me").then(function (r) { setMe(r.status === 200 ? r.data : null); });
  }

  function signedIn(token, me) { saveToken(token); setMe(me); say("Signed in as " + me.name + "."); return load(); }

  $("v-signin").addEventListener("click", function () {
    var popup = window.open(body.dataset.login, "veche-signin", "popup,width=520,height=680");
    if (!popup) { say("Allow pop-ups to sign in, or open Veche in a new tab."); return; }
    // Without postMessage (opener cut off), ask /me once the pop-up is closed: that
    // works when the browser lets this frame have Veche's session cookie.
    var timer = window.setInterval(function () {
      if (popup.closed) { window.clearInterval(timer); if (!state.me) refreshMe().then(function () { load(); }); }
    }, 500);
  });
  $("v-signout").addEventListener("click", function () {
    var done = function () { saveToken(null); setMe(null); say("Signed out."); load(); $("v-signin").focus(); };
    if (state.token) call("POST", "/me/signout").then(done); else done();
  });

  window.addEventListener("message", function (event) {
    var msg = event.data || {};
    if (event.origin === window.location.origin && msg.type === "veche:signed-in" && msg.token) {
      signedIn(msg.token, msg.user);
    } else if (event.origin === hostOrigin && event.source === window.parent && msg.type === "veche:sso") {
      call("POST", "/sso", { origin: hostOrigin, token: String(msg.token) }).then(function (r) {
        if (r.status === 200) signedIn(r.data.token, r.data.user);
        else say(r.data.message || "Single sign-on failed.");
      });
    }
  });

  function tellHeight() {
    window.parent.postMessage({ type: "veche:height", height: document.documentElement.scrollHeight }, hostOrigin);
  }
  if (window.ResizeObserver) new ResizeObserver(tellHeight).observe(document.body);

  refreshMe().then(function () { return load(); }).then(function () {
    tellHeight();
    window.parent.postMessage({ type: "veche:ready" }, hostOrigin);
  });
})();

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

  // "Show passwords": the form's password fields as text while pressed.
  document.querySelectorAll("[data-show-passwords]").forEach(function (button) {
    button.addEventListener("click", function () {
      var show = button.getAttribute("aria-pressed") !== "true";
      button.setAttribute("aria-pressed", show ? "true" : "false");
      button.textContent = show ? "Hide passwords" : "Show passwords";
      button.form.querySelectorAll("input[type=password], input[data-was-password]").forEach(function (input) {
        input.setAttribute("data-was-password", "");
        input.type = show ? "text" : "password";
      });
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // The administrator-view notice counts its minutes down (the server ends the view at zero).
  var viewLeft = document.querySelector("[data-view-left]");
  if (viewLeft) {
    var viewEnds = Date.now() + parseInt(viewLeft.getAttribute("data-view-left"), 10) * 1000;
    setInterval(function () {
      var minutes = Math.ceil((viewEnds - Date.now()) / 60000);
      viewLeft.textContent = minutes > 0 ? minutes + " of 30 minutes left" : "The view has ended";
    }, 15000);
  }

  // A page showing a secret (the set-up, new recovery codes) comes from the server while the secret is
  // pending, and is no-store; should a browser still restore it from its back/forward cache (Back after
  // "I've Saved These" or Cancel), ask the server again, which leads to the Security tab once it ended.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && document.querySelector("[data-secret-shown-once]")) window.location.reload();
  });

  // Idle sign-out: the server ends a session after data-idle-timeout seconds without a request. A
  // minute before (a third of the time-out when that is shorter, so a short --idle-timeout does not warn
  // right after sign-in), a warning counts down with "Stay signed in" (which tells the server); at zero
  // the page signs out through its Sign Out form, which lands on the sign-in page saying why.
  var seconds = parseInt(document.body.getAttribute("data-idle-timeout") || "", 10);
  var signOut = document.querySelector("form.sign-out");
  if (seconds > 0 && signOut) {
    var warning = document.createElement("div");
    warning.className = "idle-warning";
    warning.setAttribute("role", "alertdialog");
    warning.setAttribute("aria-labelledby", "idle-title");
    warning.setAttribute("aria-describedby", "idle-text");
    warning.hidden = true;
    warning.innerHTML = '<p id="idle-title" class="idle-warning__title">You will be signed out soon</p>' +
      '<p id="idle-text">For your security, this session ends in <span data-idle-count>60</span> seconds: nothing has happened for <span data-idle-quiet>a while</span>.</p>' +
      '<button type="button" class="button button--primary" data-idle-stay>Stay signed in</button> ' +
      '<button type="button" class="button button--secondary" data-idle-leave>Sign out now</button>';
    document.body.appendChild(warning);
    var count = warning.querySelector("[data-idle-count]");
    var quiet = warning.querySelector("[data-idle-quiet]");
    var lead = Math.min(60, Math.floor(seconds / 3));
    var stay = warning.querySelector("[data-idle-stay]");
    var deadline = 0, warnTimer = null, tick = null;

    var expire = function () {
      clearInterval(tick);
      var reason = document.createElement("input");
      reason.type = "hidden"; reason.name = "reason"; reason.value = "idle";
      signOut.appendChild(reason);
      signOut.submit();
    };
    var update = function () {
      // One second early, so the page's sign-out reaches the server before the server's own.
      var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000) - 1);
      count.textContent = String(left);
      if (left <= 0) expire();
    };
    var warn = function () {
      var idle = Math.max(1, seconds - Math.round((deadline - Date.now()) / 1000));
      quiet.textContent = idle < 120 ? idle + " seconds" : Math.round(idle / 60) + " minutes";
      warning.hidden = false;
      stay.focus();
      update();
      tick = setInterval(update, 1000);
    };
    var schedule = function (total) {
      clearTimeout(warnTimer); clearInterval(tick);
      warning.hidden = true;
      deadline = Date.now() + total * 1000;
      warnTimer = setTimeout(warn, Math.max(0, total - lead) * 1000);
    };
    warning.querySelector("[data-idle-leave]").addEventListener("click", function () {
      clearInterval(tick);
      signOut.submit();
    });
    stay.addEventListener("click", function () {
      var token = signOut.querySelector('input[name="csrf_token"]');
      fetch("/portal/session/keepalive", {
        method: "POST", credentials: "same-origin", redirect: "manual",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": token ? token.value : "" }, body: "{}"
      }).then(function (response) {
        if (response.status === 204) schedule(seconds); else expire();
      }, expire);
    });
    // data-idle-remaining: what was left of the time-out when the page was made (the server notes
    // activity coarsely, so this can be a little less than the whole time-out).
    var remaining = parseInt(document.body.getAttribute("data-idle-remaining") || "", 10);
    schedule(remaining >= 0 && remaining < seconds ? remaining : seconds);
  }
})();

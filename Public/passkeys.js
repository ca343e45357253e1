// ClientOne Console: security keys and passkeys through the browser's WebAuthn API.
// The server's "begin" routes answer {"publicKey": OPTIONS} in the JSON form that
// PublicKeyCredential.parseCreationOptionsFromJSON / parseRequestOptionsFromJSON read; the "finish"
// routes take {"credential": credential.toJSON()} and answer {"ok": true, "redirect": URL} or
// {"ok": false, "error": MESSAGE}. Browsers without those two helpers get the same conversions here.
(function () {
  "use strict";

  var supported = !!(window.PublicKeyCredential && navigator.credentials && navigator.credentials.create);

  function csrfToken() {
    var input = document.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  function fromBase64url(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function creationOptions(json) {
    if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    var options = Object.assign({}, json);
    options.challenge = fromBase64url(json.challenge);
    options.user = Object.assign({}, json.user, { id: fromBase64url(json.user.id) });
    options.excludeCredentials = (json.excludeCredentials || []).map(function (c) {
      return Object.assign({}, c, { id: fromBase64url(c.id) });
    });
    return options;
  }

  function requestOptions(json) {
    if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    var options = Object.assign({}, json);
    options.challenge = fromBase64url(json.challenge);
    options.allowCredentials = (json.allowCredentials || []).map(function (c) {
      return Object.assign({}, c, { id: fromBase64url(c.id) });
    });
    return options;
  }

  function credentialJSON(credential) {
    if (typeof credential.toJSON === "function") return credential.toJSON();
    var response = credential.response;
    var json = {
      id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: toBase64url(response.clientDataJSON) }
    };
    if (response.attestationObject) {
      json.response.attestationObject = toBase64url(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toBase64url(response.authenticatorData);
      json.response.signature = toBase64url(response.signature);
      json.response.userHandle = response.userHandle ? toBase64url(response.userHandle) : null;
    }
    return json;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", redirect: "manual",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") !== 0) {
        throw new Error("Your session ended or the page is out of date. Reload the page and try again.");
      }
      return response.json().then(function (data) {
        if (data && data.ok === false && data.redirect) { go(data.redirect); return new Promise(function () {}); }
        if (!response.ok) throw new Error((data && data.error) || "Something went wrong. Try again.");
        return data;
      });
    });
  }

  // Follows a redirect; one that differs from this page only by its #fragment reloads it (assigning
  // it would only scroll).
  function go(location) {
    var target = new URL(location, window.location.href);
    if (target.pathname + target.search === window.location.pathname + window.location.search) {
      window.location.hash = target.hash;
      window.location.reload();
    } else {
      window.location.assign(target.href);
    }
  }

  function show(errorElement, message) {
    if (!errorElement) return;
    errorElement.textContent = message;
    errorElement.hidden = false;
  }

  function browserMessage(error) {
    if (error && error.name === "NotAllowedError") return "The request was cancelled or timed out. Try again when you're ready.";
    if (error && error.name === "InvalidStateError") return "This key is already registered.";
    if (error && error.name === "SecurityError") return "This browser refused the request for this address.";
    return (error && error.message) || "Something went wrong. Try again.";
  }

  // One ceremony: begin (options) → the browser's prompt → finish (the answer) → follow the redirect.
  function ceremony(beginURL, finishURL, create, extra, button, errorElement) {
    if (errorElement) errorElement.hidden = true;
    button.disabled = true;
    return post(beginURL).then(function (options) {
      var publicKey = create ? creationOptions(options.publicKey) : requestOptions(options.publicKey);
      return create ? navigator.credentials.create({ publicKey: publicKey }) : navigator.credentials.get({ publicKey: publicKey });
    }).then(function (credential) {
      return post(finishURL, Object.assign({ credential: credentialJSON(credential) }, extra || {}));
    }).then(function (result) {
      go(result.redirect || window.location.href);
    }).catch(function (error) {
      button.disabled = false;
      show(errorElement, browserMessage(error));
    });
  }

  // "Add Key" on the Security tab.
  document.querySelectorAll("form[data-passkey-register]").forEach(function (form) {
    var button = form.querySelector('button[type="submit"]');
    var error = form.querySelector("[data-passkey-error]");
    if (!supported) {
      var note = form.querySelector("[data-webauthn-unsupported]");
      if (note) note.hidden = false;
      if (button) { button.disabled = true; button.setAttribute("aria-describedby", "passkey-error"); }
      return;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var name = form.querySelector('input[name="name"]');
      var base = form.getAttribute("action").replace(/\/begin$/, "");
      ceremony(base + "/begin", base + "/finish", true, { name: name ? name.value : "" }, button, error);
    });
  });

  // "Sign in with a passkey" (sign-in page) and "Use a passkey" (MFA step): data-passkey-signin names the base route.
  document.querySelectorAll("[data-passkey-signin]").forEach(function (button) {
    var error = button.parentNode.querySelector("[data-passkey-error]");
    if (!supported) { button.closest("[data-js-only]").hidden = true; return; }
    var base = button.getAttribute("data-passkey-signin");
    button.addEventListener("click", function () {
      ceremony(base + "/begin", base + "/finish", false, null, button, error);
    });
  });

  // "Confirm it's you" with a passkey instead of the password.
  document.querySelectorAll("[data-passkey-reauth]").forEach(function (button) {
    var error = button.parentNode.querySelector("[data-passkey-error]");
    if (!supported) { button.closest("[data-js-only]").hidden = true; return; }
    var next = encodeURIComponent(button.getAttribute("data-next") || "");
    button.addEventListener("click", function () {
      ceremony("/portal/reauth/passkey/begin", "/portal/reauth/passkey/finish?next=" + next, false, null, button, error);
    });
  });
})();

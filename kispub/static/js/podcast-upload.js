// Upload an episode with a progress bar. Without JavaScript the form posts as usual; with it,
// XMLHttpRequest reports upload progress. On success (201 + Location) we go to the episode;
// on an error the server's page (form with messages, or the 413 page) replaces the main area.
(function () {
  "use strict";

  function statusOf(form) {
    return form.querySelector("[data-upload-status]");
  }

  function replaceMain(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.querySelector("main");
    var main = document.querySelector("main");
    if (!fresh || !main) {
      return false;
    }
    main.innerHTML = fresh.innerHTML;
    document.title = doc.title;
    var next = main.querySelector("form[data-upload]");
    if (next) {
      bind(next);
    }
    var summary = main.querySelector(".error-summary");
    (summary || main).focus();
    return true;
  }

  function fail(form, button, message) {
    var progress = form.querySelector("progress");
    progress.hidden = true;
    statusOf(form).textContent = message;
    button.disabled = false;
  }

  function send(form, button) {
    var xhr = new XMLHttpRequest();
    var progress = form.querySelector("progress");
    var status = statusOf(form);
    progress.hidden = false;
    progress.value = 0;
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        progress.max = event.total;
        progress.value = event.loaded;
        status.textContent = Math.round((100 * event.loaded) / event.total) + "% geüpload";
      }
    });
    xhr.upload.addEventListener("load", function () {
      status.textContent = "Geüpload. Het bestand wordt gecontroleerd…";
    });
    xhr.addEventListener("load", function () {
      if (xhr.status === 201 && xhr.getResponseHeader("Location")) {
        window.location.assign(xhr.getResponseHeader("Location"));
      } else if (xhr.status >= 200 && xhr.status < 300) {
        window.location.assign(xhr.responseURL);
      } else if (!replaceMain(xhr.responseText)) {
        fail(form, button, "Het uploaden is mislukt (fout " + xhr.status + ").");
      }
    });
    xhr.addEventListener("error", function () {
      fail(form, button, "Het uploaden is mislukt. Controleer de verbinding en de grootte " +
        "van het bestand en probeer het opnieuw.");
    });
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.send(new FormData(form));
    button.disabled = true;
  }

  function bind(form) {
    var button = form.querySelector("button[type=submit]:not([name=add_guest])");
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) {
        return; // let the browser post the form
      }
      if (event.submitter && event.submitter.name === "add_guest") {
        return; // "Nog een gast toevoegen" only shows the form again: a plain post
      }
      event.preventDefault();
      var input = form.querySelector("input[type=file][name=audio]");
      var max = Number(form.getAttribute("data-max-bytes"));
      var file = input && input.files && input.files[0];
      if (file && max && file.size > max) {
        fail(form, button, form.getAttribute("data-too-large"));
        input.focus();
        return;
      }
      send(form, button);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), bind);
})();

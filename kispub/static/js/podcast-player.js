// Chapter and transcript timestamps seek the episode's player instead of opening the audio
// file (which is what the links do without JavaScript, via a Media Fragment "#t=").
(function () {
  "use strict";
  var audio = document.querySelector("audio[data-podcast-player]");
  if (!audio) {
    return;
  }
  var links = Array.prototype.slice.call(document.querySelectorAll("a[data-start]"));
  var chapterLinks = links.filter(function (link) { return link.closest(".chapters"); });

  function seek(seconds) {
    var go = function () {
      audio.currentTime = seconds;
      var playing = audio.play();
      if (playing && playing.catch) {
        playing.catch(function () {}); // autoplay refused: the position is still set
      }
    };
    if (audio.readyState >= 1) {
      go();
    } else {
      audio.addEventListener("loadedmetadata", go, { once: true });
      audio.load();
    }
  }

  links.forEach(function (link) {
    link.addEventListener("click", function (event) {
      var seconds = parseFloat(link.getAttribute("data-start"));
      if (isNaN(seconds)) {
        return;
      }
      event.preventDefault();
      seek(seconds);
    });
  });

  // Mark the chapter that is playing, for sighted users and screen readers alike.
  audio.addEventListener("timeupdate", function () {
    var current = null;
    chapterLinks.forEach(function (link) {
      if (parseFloat(link.getAttribute("data-start")) <= audio.currentTime + 0.25) {
        current = link;
      }
    });
    chapterLinks.forEach(function (link) {
      if (link === current) {
        link.setAttribute("aria-current", "true");
      } else {
        link.removeAttribute("aria-current");
      }
    });
  });
})();

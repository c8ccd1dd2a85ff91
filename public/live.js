// Keeps this page current: listens to the browser's shared live-update stream and, when
// this page's dataset changed since the page was served, fires "data-changed" (app.js and
// hx-trigger="data-changed from:body" redraw what the page shows). Also shows whether the
// page is live or reconnecting.
(function () {
  'use strict';
  var live = document.getElementById('live');
  if (!live) return;
  var dataset = Number(live.getAttribute('data-dataset'));
  // The server process and the latest event id of this dataset the page was rendered under.
  var boot = live.getAttribute('data-boot');
  var seen = Number(live.getAttribute('data-seen')) || 0;
  var status = document.getElementById('live-status');
  var LABELS = {
    connecting: ['Connecting…', 'Connecting to live updates'],
    live: ['Live', 'Live: this page redraws by itself when customers are registered or a segmentation changes'],
    reconnecting: ['Reconnecting…', 'The connection to the server was lost: what you see may be out of date until it is back'],
  };

  function show(state) {
    live.setAttribute('data-state', state);
    // When this page went live, from its navigation (the browser tests read it).
    if (state === 'live' && !live.hasAttribute('data-live-at')) live.setAttribute('data-live-at', String(Math.round(performance.now())));
    if (!status) return;
    status.setAttribute('data-state', state);
    status.textContent = LABELS[state][0];
    status.title = LABELS[state][1];
  }

  // A newer event of this dataset, or a server that restarted since (its ids start anew and
  // say nothing of what happened meanwhile): redraw.
  function caughtUp(newBoot, latest) {
    var stale = newBoot !== boot || latest > seen;
    if (newBoot !== boot) seen = latest;
    else if (latest > seen) seen = latest;
    boot = newBoot;
    live.setAttribute('data-seen', String(seen));
    if (stale) afterHtmxStarts(function () { live.dispatchEvent(new CustomEvent('data-changed', { bubbles: true })); });
  }

  // This file runs before htmx, which starts on DOMContentLoaded: an event fired before then
  // would reach no hx-trigger listener, so it waits until just after.
  function afterHtmxStarts(fire) {
    if (document.readyState !== 'loading') fire();
    else document.addEventListener('DOMContentLoaded', function () { setTimeout(fire); }, { once: true });
  }

  // A step of this page's own running analysis: shown in the indicator of the region that
  // asked for it ([data-progress-path] names the request's path), with a bar when counted.
  function showProgress(message) {
    if (message.view !== document.documentElement.getAttribute('data-view-id')) return;
    document.querySelectorAll('[data-progress-path="' + message.path + '"]').forEach(function (region) {
      var step = region.querySelector('.progress-step');
      if (step) step.textContent = message.step.charAt(0).toUpperCase() + message.step.slice(1) + (message.total ? ' (' + (message.done + 1) + ' of ' + message.total + ')' : '') + '…';
      var bar = region.querySelector('progress.progress-bar');
      if (bar && message.total) {
        bar.hidden = false;
        bar.value = message.done / message.total;
      }
    });
  }

  function onMessage(message) {
    if (message.type === 'progress') showProgress(message);
    if (message.type === 'state') show(message.state);
    else if (message.type === 'hello') caughtUp(message.boot, message.latest[dataset] || 0);
    else if (message.type === 'data-changed' && message.dataset === dataset) caughtUp(message.boot, message.seq);
  }

  // The shared worker answers a new port at once with its state. A port that stays silent
  // belongs to a worker the browser was ending as this page connected (the last page that
  // used it had just closed): such a page would never hear of anything, so it connects again,
  // and after a second silence opens a stream of its own.
  var SILENT_PORT_MS = 3000;

  function ownStream() {
    var stream = window.CustomerSegmentsLive.openStream('/events?dataset=' + dataset, onMessage);
    window.addEventListener('pagehide', function () { stream.close(); }, { once: true });
  }

  function connect(attempt) {
    if (window.SharedWorker && (attempt || 0) < 2) {
      try {
        var worker = new SharedWorker('/static/live-stream.js', { name: 'customer-segments-live' });
        var heard = false;
        var silence = setTimeout(function () {
          if (heard) return;
          worker.port.close();
          connect((attempt || 0) + 1);
        }, SILENT_PORT_MS);
        worker.port.addEventListener('message', function (event) {
          heard = true;
          clearTimeout(silence);
          onMessage(event.data);
        });
        worker.port.start();
        window.addEventListener('pagehide', function () { worker.port.postMessage({ type: 'bye' }); }, { once: true });
        return;
      } catch (err) {
        // Blocked (some privacy modes): fall back to a stream of this page's own.
      }
    }
    ownStream();
  }

  // A page restored from the back-forward cache said goodbye when it was hidden.
  window.addEventListener('pageshow', function (event) { if (event.persisted) connect(0); });
  connect(0);
})();

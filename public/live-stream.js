// The live-update stream (GET /events), and the shared worker that holds one for every
// dashboard tab of the browser. A stream per tab held one of the six connections HTTP/1.1
// allows per host: the seventh tab never connected, and its page requests queued behind
// the streams. So each tab (live.js) connects a port to this file run as a SharedWorker;
// the worker repeats every message to all of them and tells a new tab the state and the
// latest event ids so far, so it can tell whether the page it was served is current.
// Where a browser has no SharedWorker, a page loads this file and opens a stream itself.
//
// The stream never gives up: the browser's EventSource retries a dropped connection by
// itself, but a refused one (a restarting server answering 503, a 401 after a sign-out)
// closes it for good, so that case opens a new one after a growing pause, carrying the last
// event id in the query.
(function (scope) {
  'use strict';

  var MAX_PAUSE_MS = 10000;

  // listener(message): { type: 'state', state: 'connecting'|'live'|'reconnecting' },
  // { type: 'hello', boot, latest }, { type: 'data-changed', dataset, version, seq, boot }, or
  // { type: 'progress', dataset, view, path, step, done, total } (a view's running analysis).
  function openStream(url, listener) {
    var lastEventId = '';
    var failures = 0;
    var source = null;
    var timer = null;

    function connect() {
      timer = null;
      var target = lastEventId ? url + (url.indexOf('?') < 0 ? '?' : '&') + 'lastEventId=' + encodeURIComponent(lastEventId) : url;
      source = new EventSource(target);
      source.addEventListener('hello', function (event) {
        var data = JSON.parse(event.data);
        failures = 0;
        listener({ type: 'state', state: 'live' });
        listener({ type: 'hello', boot: data.boot, latest: data.latest });
      });
      source.addEventListener('data-changed', function (event) {
        if (event.lastEventId) lastEventId = event.lastEventId;
        var data = JSON.parse(event.data);
        listener({ type: 'data-changed', dataset: data.dataset, version: data.version, seq: data.seq, boot: data.boot });
      });
      source.addEventListener('progress', function (event) {
        var data = JSON.parse(event.data);
        listener({ type: 'progress', dataset: data.dataset, view: data.view, path: data.path, step: data.step, done: data.done, total: data.total });
      });
      source.addEventListener('error', function () {
        listener({ type: 'state', state: 'reconnecting' });
        if (source.readyState !== EventSource.CLOSED) return; // the browser retries by itself
        source = null;
        failures++;
        timer = setTimeout(connect, Math.min(MAX_PAUSE_MS, 500 * Math.pow(2, failures - 1)));
      });
    }

    listener({ type: 'state', state: 'connecting' });
    connect();
    return {
      close: function () {
        if (timer) clearTimeout(timer);
        if (source) source.close();
      },
    };
  }

  scope.CustomerSegmentsLive = { openStream: openStream };

  if (typeof SharedWorkerGlobalScope === 'undefined' || !(scope instanceof SharedWorkerGlobalScope)) return;

  var ports = [];
  var state = 'connecting';
  var hello = null;

  openStream('/events', function (message) {
    if (message.type === 'state') state = message.state;
    if (message.type === 'hello') hello = { type: 'hello', boot: message.boot, latest: message.latest };
    if (message.type === 'data-changed' && hello && hello.boot === message.boot) hello.latest[message.dataset] = message.seq;
    ports.forEach(function (port) { port.postMessage(message); });
  });

  scope.addEventListener('connect', function (event) {
    var port = event.ports[0];
    ports.push(port);
    port.addEventListener('message', function (e) {
      // A tab that closes says so; a port cannot tell by itself.
      if (e.data && e.data.type === 'bye') ports = ports.filter(function (p) { return p !== port; });
    });
    port.start();
    port.postMessage({ type: 'state', state: state });
    if (hello) port.postMessage(hello);
  });
})(self);

// Draws every <canvas data-chart> from its server-built Chart.js config, after the first
// load and after each htmx swap, destroying the chart it replaces. No inline scripts.
(function () {
  'use strict';

  function drawCharts(root) {
    if (!window.Chart) return;
    var scope = root && root.querySelectorAll ? root : document;
    var canvases = scope.querySelectorAll('canvas[data-chart]');
    canvases.forEach(function (canvas) {
      var source = canvas.getAttribute('data-chart');
      var existing = window.Chart.getChart(canvas);
      // A morph swap keeps unchanged canvases: leave their charts as they are.
      if (existing && canvas.getAttribute('data-chart-source') === source) return;
      if (existing) existing.destroy();
      canvas.setAttribute('data-chart-source', source);
      try {
        var config = JSON.parse(source);
        // A flow diagram colours each flow from its segments' colours (a function, so not JSON).
        if (config.type === 'sankey') config.data.datasets.forEach(function (ds) {
          var colours = ds.nodeColours || {};
          ds.colorFrom = function (c) { return colours[c.dataset.data[c.dataIndex].from] || '#999'; };
          ds.colorTo = function (c) { return colours[c.dataset.data[c.dataIndex].to] || '#999'; };
        });
        var chart = new window.Chart(canvas, config);
        canvas.setAttribute('data-chart-drawn', String(chart.data.datasets.length));
      } catch (err) {
        canvas.setAttribute('data-chart-error', String(err && err.message));
        var note = document.createElement('p');
        note.className = 'chart-error';
        note.textContent = 'This chart could not be drawn. Reload the page; if it persists, report it.';
        canvas.replaceWith(note);
      }
    });
    addDownloadButtons(scope);
  }

  // Every chart can be saved as a PNG.
  function addDownloadButtons(scope) {
    scope.querySelectorAll('figure.chart').forEach(function (figure) {
      if (figure.querySelector('.chart-download')) return;
      var canvas = figure.querySelector('canvas');
      if (!canvas) return;
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'chart-download';
      button.textContent = 'PNG';
      button.setAttribute('aria-label', 'Download this chart as PNG');
      button.addEventListener('click', function () {
        var link = document.createElement('a');
        link.href = canvas.toDataURL('image/png');
        var label = (canvas.getAttribute('aria-label') || 'chart').toLowerCase().replace(/[^a-z0-9]+/g, '-');
        link.download = label + '.png';
        link.click();
      });
      figure.appendChild(button);
    });
  }

  // A slider and its typed twin move together; the typed one is sent. Capture phase, so the
  // named input is current before htmx reads the form.
  document.addEventListener('input', function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute('data-pair')) return;
    var twin = document.getElementById(input.getAttribute('data-pair'));
    if (twin && input.value !== '') twin.value = input.value;
  }, true);

  // The report's print button (no inline handlers under the CSP).
  document.addEventListener('click', function (event) {
    if (event.target instanceof Element && event.target.closest('[data-print]')) window.print();
  });

  // Honest waiting: the region a request will replace is marked busy (aria-busy, dimmed, and a
  // status pill in view) from the moment it is asked for until its answer is in.
  function busyTarget(event) {
    var target = event.detail && event.detail.ctx && event.detail.ctx.target;
    return target instanceof Element ? target : null;
  }
  function updatePill() {
    var pill = document.getElementById('busy-pill');
    if (pill) pill.hidden = !document.querySelector('main [aria-busy="true"]');
  }
  document.addEventListener('htmx:before:request', function (event) {
    var target = busyTarget(event);
    if (!target) return;
    target.setAttribute('aria-busy', 'true');
    target.classList.add('is-recomputing');
    updatePill();
  });
  document.addEventListener('htmx:finally:request', function (event) {
    var target = busyTarget(event);
    if (target) {
      target.removeAttribute('aria-busy');
      target.classList.remove('is-recomputing');
    }
    updatePill();
  });

  // Slider values shown next to their label as they move.
  document.addEventListener('input', function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement)) return;
    var outputId = input.getAttribute('data-output');
    if (outputId) {
      var output = document.getElementById(outputId);
      if (output) output.textContent = input.value;
    }
  });

  // Checkbox groups travel as one comma-separated parameter (features=a,b,c), CSV-style: a
  // name holding a comma or a quote is quoted (server/web/feature-list.ts). Capture phase,
  // so the hidden field is current before htmx reads the form.
  function listItem(name) {
    return /[",]/.test(name) || name !== name.trim() ? '"' + name.replace(/"/g, '""') + '"' : name;
  }
  document.addEventListener('change', function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.hasAttribute('data-join')) {
      var name = input.getAttribute('data-join');
      var form = input.form;
      var hidden = form && form.querySelector('input[type=hidden][name="' + name + '"]');
      if (!hidden) return;
      var checked = Array.prototype.filter.call(form.querySelectorAll('input[data-join="' + name + '"]'), function (c) { return c.checked; });
      hidden.value = checked.map(function (c) { return listItem(c.value); }).join(',');
    }
    if (input instanceof HTMLSelectElement && input.id === 'algorithm') {
      var dbscan = input.value === 'dbscan';
      var form2 = input.form;
      // A control the chosen algorithm does not read is hidden and not sent (the server refuses it).
      form2.querySelectorAll('[data-algorithms]').forEach(function (el) {
        var reads = el.getAttribute('data-algorithms').split(',').indexOf(input.value) >= 0;
        el.hidden = !reads;
        el.querySelectorAll('input').forEach(function (field) { field.disabled = !reads; });
      });
      var k = form2.querySelector('#k');
      if (k) k.disabled = dbscan;
    }
    if (input instanceof HTMLSelectElement && input.hasAttribute('data-autosubmit')) input.form.submit();
  }, true);

  // Upload with a progress bar (fetch cannot report upload progress), and drag-and-drop.
  function setUpUpload() {
    var form = document.getElementById('upload-form');
    if (!form) return;
    var zone = document.getElementById('drop-zone');
    var input = document.getElementById('upload-file');
    var progress = document.getElementById('upload-progress');
    var status = document.getElementById('upload-status');
    var preview = document.getElementById('import-preview');
    ['dragenter', 'dragover'].forEach(function (type) {
      zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add('dragging'); });
    });
    ['dragleave', 'drop'].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove('dragging'); });
    });
    zone.addEventListener('drop', function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        status.textContent = event.dataTransfer.files[0].name + ' ready: press "Upload and preview".';
      }
    });
    form.addEventListener('submit', function (event) {
      if (!input.files || !input.files.length) return;
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open('POST', form.action);
      request.setRequestHeader('HX-Request', 'true');
      request.setRequestHeader('X-CSRF-Token', csrfToken());
      progress.hidden = false;
      progress.value = 0;
      status.textContent = 'Uploading…';
      request.upload.addEventListener('progress', function (e) {
        if (e.lengthComputable) {
          progress.value = Math.round((e.loaded / e.total) * 100);
          status.textContent = progress.value < 100 ? 'Uploading… ' + progress.value + '%' : 'Reading the file…';
        }
      });
      request.addEventListener('load', function () {
        progress.hidden = true;
        status.textContent = request.status < 300 ? 'Check the preview, then import.' : '';
        preview.innerHTML = request.responseText;
        if (window.htmx) window.htmx.process(preview);
      });
      request.addEventListener('error', function () {
        progress.hidden = true;
        status.textContent = 'The upload failed: check the connection and try again.';
      });
      request.send(new FormData(form));
    });
  }

  // A registration anywhere: refresh what this page shows (live.js fires the event when the
  // shared stream says this page's dataset changed; bursts are coalesced on the server).
  document.addEventListener('data-changed', function () {
    if (!window.htmx) return;
    var here = location.pathname + location.search;
    if (document.getElementById('cluster-results')) window.htmx.ajax('GET', here, { target: '#cluster-results', swap: 'innerMorph' });
    if (document.getElementById('overview-content')) window.htmx.ajax('GET', here, { target: '#overview-content', swap: 'innerMorph' });
    var form = document.getElementById('customer-form');
    if (form) window.htmx.trigger(form, 'submit');
  });

  // This page load names itself to the server, which then drops this view's queued analyses
  // when a newer request from it arrives (dragging the k slider queues many).
  var viewId = Math.random().toString(36).slice(2, 12) + Date.now().toString(36);
  // live.js shows this view's progress steps from the shared stream.
  document.documentElement.setAttribute('data-view-id', viewId);
  // Every state-changing request carries the page's CSRF token (server/web/security.ts).
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }
  document.addEventListener('htmx:config:request', function (event) {
    var headers = event.detail.ctx.request.headers;
    headers['X-View-Id'] = viewId;
    headers['X-CSRF-Token'] = csrfToken();
  });

  // A table wider than its place scrolls inside itself: it can then be reached and scrolled
  // with the keyboard too (axe: scrollable-region-focusable), named after its caption or heading.
  function markScrollRegions() {
    var regions = document.querySelectorAll('main .table-wrap, main table');
    for (var i = 0; i < regions.length; i++) {
      var region = regions[i];
      if (region.scrollWidth <= region.clientWidth + 1 || region.hasAttribute('tabindex')) continue;
      if (region.tagName === 'TABLE' && region.closest('.table-wrap')) continue;
      region.setAttribute('tabindex', '0');
      region.classList.add('scroll-region');
      if (!region.hasAttribute('aria-label')) {
        var caption = region.querySelector('caption');
        var heading = region.closest('section, .panel');
        var name = caption ? caption.textContent : heading && heading.querySelector('h2, h3') ? heading.querySelector('h2, h3').textContent : 'Table';
        region.setAttribute('role', 'region');
        region.setAttribute('aria-label', (name || 'Table').trim() + ' (scrolls sideways)');
      }
    }
  }
  window.addEventListener('resize', markScrollRegions);
  document.addEventListener('DOMContentLoaded', function () {
    // How long the first drawing took: the browser tests hold every tab of every real file to it.
    var started = performance.now();
    drawCharts(document);
    document.documentElement.setAttribute('data-draw-ms', String(Math.round(performance.now() - started)));
    setUpUpload();
    markScrollRegions();
  });
  // The fit region may show another k than the slider (the sweep settled the recommended
  // one): the slider follows what is shown.
  function syncK() {
    var meta = document.querySelector('#cluster-results .result-meta[data-k]');
    var slider = document.getElementById('k');
    if (!meta || !slider || slider.disabled) return;
    var k = meta.getAttribute('data-k');
    if (slider.value === k) return;
    slider.value = k;
    var output = document.getElementById('k-value');
    if (output) output.textContent = k;
  }
  // A region redrawn (a registration, a save or a rename elsewhere) keeps what the reader
  // opened: an open rename form or list of indices is not closed under their cursor.
  var openDetails = [];
  document.addEventListener('htmx:before:swap', function () {
    openDetails = Array.prototype.map.call(document.querySelectorAll('details[open][id]'), function (d) { return d.id; });
  });
  document.addEventListener('htmx:after:swap', function (event) {
    openDetails.forEach(function (id) {
      var details = document.getElementById(id);
      if (details && !details.open) details.open = true;
    });
    var target = (event.detail && event.detail.ctx && event.detail.ctx.target) || event.target;
    // An outerHTML swap leaves the target detached: its replacement is somewhere in the page.
    drawCharts(target instanceof Element && target.isConnected ? target : document);
    syncK();
    markScrollRegions();
  });
})();

// The request list, live: each request that finishes arrives as a server-sent event and becomes the top row.
(function () {
  'use strict';
  var table = document.querySelector('table[data-live]');
  if (!table || !window.EventSource) return;
  var body = table.tBodies[0];
  var keep = body.rows.length > 0 ? Math.max(body.rows.length, 200) : 200;

  function cell(row, text, className) {
    var td = row.insertCell();
    if (text !== undefined && text !== null) td.textContent = String(text);
    if (className) td.className = className;
    return td;
  }

  function flag(td, text, extra) {
    var span = document.createElement('span');
    span.className = 'ti-flag' + (extra ? ' ' + extra : '');
    span.textContent = text;
    td.appendChild(span);
  }

  function add(request) {
    var row = body.insertRow(0);
    row.className = 'ti-status-' + String(request.status)[0] + 'xx ti-new';
    var time = document.createElement('time');
    time.dateTime = request.time;
    time.textContent = request.time.slice(11, 23);
    cell(row).appendChild(time);
    cell(row, request.method);
    var link = document.createElement('a');
    link.href = '/_trestle/requests/' + encodeURIComponent(request.id);
    link.textContent = request.path;
    cell(row).appendChild(link);
    cell(row, request.status);
    cell(row, request.action || '');
    cell(row, request.ms, 'ti-num');
    cell(row, request.queries, 'ti-num');
    var notes = cell(row);
    if (request.nPlusOne) flag(notes, 'N+1');
    if (request.error) flag(notes, request.error, 'ti-error');
    while (body.rows.length > keep) body.deleteRow(body.rows.length - 1);
    var empty = document.querySelector('.ti-empty');
    if (empty) empty.remove();
  }

  var source = new EventSource(table.getAttribute('data-live'));
  source.addEventListener('request', function (event) {
    add(JSON.parse(event.data));
  });
})();

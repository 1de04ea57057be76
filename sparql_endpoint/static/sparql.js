// SPARQL editor: examples, run, results table with IRIs as links, downloads. No dependency, no CDN.
(function () {
  "use strict";
  var form = document.getElementById("sparql-form");
  var query = document.getElementById("query");
  var example = document.getElementById("example");
  var description = document.getElementById("example-description");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var downloads = document.getElementById("downloads");
  var prologue = document.getElementById("prologue").textContent;
  var examples = JSON.parse(document.getElementById("examples-data").textContent || "{}");

  function loadExample(name) {
    if (!examples[name]) return;
    query.value = examples[name];
    if (example) example.value = name;
    if (description && example) {
      var option = example.options[example.selectedIndex];
      description.textContent = option ? option.title : "";
    }
  }

  if (example) {
    example.addEventListener("change", function () { loadExample(example.value); });
  }
  var params = new URLSearchParams(window.location.search);
  if (params.get("example")) loadExample(params.get("example"));

  document.getElementById("add-prefixes").addEventListener("click", function () {
    var missing = prologue.split("\n").filter(function (line) {
      return line && query.value.indexOf(line) === -1;
    });
    query.value = missing.join("\n") + (missing.length ? "\n" : "") + query.value;
  });

  // Results are data, and register data is untrusted: only web IRIs become links
  // (a javascript: or data: IRI is shown as text). Same rule as rendering.safe_href on the server.
  var SAFE_SCHEME = /^(https?|mailto|ftp|urn|doi):/i;

  function link(iri) {
    var safe = SAFE_SCHEME.test(iri.replace(/[\u0000-\u0020]/g, ""));
    var a = document.createElement(safe ? "a" : "span");
    if (safe) a.href = iri;
    a.textContent = iri;
    return a;
  }

  function cell(term) {
    var td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      td.appendChild(link(term.value));
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      var span = document.createElement("span");
      span.textContent = term.value;
      if (term["xml:lang"]) {
        span.lang = term["xml:lang"];
        td.appendChild(span);
        var small = document.createElement("small");
        small.textContent = " @" + term["xml:lang"];
        td.appendChild(small);
      } else {
        td.appendChild(span);
      }
    }
    return td;
  }

  function table(data) {
    var vars = data.head.vars;
    var t = document.createElement("table");
    var thead = t.createTHead().insertRow();
    vars.forEach(function (v) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = v;
      thead.appendChild(th);
    });
    var tbody = t.createTBody();
    data.results.bindings.forEach(function (row) {
      var tr = tbody.insertRow();
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
    });
    return t;
  }

  function setDownloads(kind) {
    downloads.hidden = false;
    Array.prototype.forEach.call(downloads.querySelectorAll("a"), function (a) {
      a.hidden = a.dataset.kind !== kind;
      a.href = "/sparql?" + new URLSearchParams({ query: query.value, format: a.dataset.format }).toString();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    status.textContent = "Requête en cours…";
    results.textContent = "";
    downloads.hidden = true;
    var started = performance.now();
    fetch("/sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9"
      },
      body: new URLSearchParams({ query: query.value })
    }).then(function (response) {
      var type = (response.headers.get("Content-Type") || "").split(";")[0];
      return (type.indexOf("json") >= 0 ? response.json() : response.text()).then(function (body) {
        var ms = Math.round(performance.now() - started);
        if (!response.ok) {
          status.textContent = "Erreur " + response.status + " : " + (body.error || body);
          return;
        }
        if (type === "application/sparql-results+json" && "boolean" in body) {
          status.textContent = "Réponse : " + (body.boolean ? "vrai" : "faux") + " (" + ms + " ms)";
          setDownloads("results");
        } else if (type === "application/sparql-results+json") {
          status.textContent = body.results.bindings.length + " ligne(s) en " + ms + " ms";
          results.appendChild(table(body));
          setDownloads("results");
        } else {
          status.textContent = "Graphe RDF (Turtle), " + ms + " ms";
          var pre = document.createElement("pre");
          pre.textContent = body;
          results.appendChild(pre);
          setDownloads("graph");
        }
      });
    }).catch(function (error) {
      status.textContent = "Le service ne répond pas : " + error;
    });
  });
})();

// Live updates for the receiver console. The page is complete without this script; it adds
// the copy button and appends what arrives over Server-Sent Events. Text from notifications
// and certificates is only ever set with textContent, never parsed as HTML.

const LIST_LENGTH = 50;
// Refusal rows kept per reason, as the server keeps them (REFUSAL_ROWS_PER_REASON).
const REFUSAL_ROWS_PER_REASON = 10;

function el(tag, attributes, children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  for (const child of children || []) {
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function timeNode(iso) {
  return el("time", { datetime: iso }, [iso]);
}

function certificateNode(certificate, cn) {
  if (!certificate)
    return document.createTextNode(cn ? `CN=${cn} (details not recorded)` : "none presented");
  const validity =
    certificate.validFrom && certificate.validTo
      ? `${certificate.validFrom} to ${certificate.validTo}`
      : "not forwarded by the proxy";
  const issuer =
    certificate.issuer || (certificate.source === "proxy" ? "not forwarded by the proxy" : "-");
  return el("dl", { class: "cert" }, [
    el("dt", {}, ["Subject"]),
    el("dd", {}, [certificate.subject || "-"]),
    el("dt", {}, ["Issuer"]),
    el("dd", {}, [issuer]),
    el("dt", {}, ["Valid"]),
    el("dd", {}, [validity]),
  ]);
}

function prepend(tableId, row) {
  const body = document.querySelector(`#${tableId} tbody`);
  if (!body) return;
  for (const empty of body.querySelectorAll("tr.empty")) empty.remove();
  body.prepend(row);
  row.classList.add("new");
  while (body.rows.length > LIST_LENGTH) body.deleteRow(body.rows.length - 1);
}

function notificationRow(n) {
  const received = el("td", {}, [timeNode(n.receivedAt)]);
  if (n.duplicate) received.append(" ", el("span", { class: "badge" }, ["redelivery"]));
  return el("tr", { "data-id": String(n.id) }, [
    received,
    el("td", {}, [n.kind]),
    el("td", {}, [el("span", { class: `severity severity-${n.severity}` }, [n.severity])]),
    el("td", {}, [n.host || "-"]),
    el("td", {}, [n.alert || "-"]),
    el("td", { class: "message" }, [n.message]),
    el("td", {}, [certificateNode(n.certificate, n.clientCn)]),
  ]);
}

function refusalRow(r) {
  const answer = r.status === null ? "connection closed" : `HTTP ${r.status}`;
  const request = r.method ? ` ${r.method} ${r.path || ""}` : "";
  const time = el("td", {}, [timeNode(r.time)]);
  if (r.count > 1) {
    time.append(
      el("br"),
      el("span", { class: "repeat" }, [`${r.count} times since `, timeNode(r.firstTime)]),
    );
  }
  const attributes = {
    "data-group": String(r.group),
    "data-reason": r.reason,
    "data-count": String(r.count),
  };
  return el("tr", attributes, [
    time,
    el("td", {}, [el("span", { class: `reason reason-${r.reason}` }, [r.reasonText])]),
    el("td", { class: "detail" }, [r.detail]),
    el("td", {}, [answer + request]),
    el("td", {}, [r.remote || "unknown"]),
    el("td", {}, [certificateNode(r.certificate, null)]),
  ]);
}

// A repeated refusal replaces its row; each reason keeps its latest rows; the counts move.
function showRefusal(r) {
  const body = document.querySelector("#refusals tbody");
  if (!body) return;
  for (const old of body.querySelectorAll(`tr[data-group="${Number(r.group)}"]`)) old.remove();
  prepend("refusals", refusalRow(r));
  const ofReason = [...body.rows].filter((row) => row.dataset.reason === r.reason);
  for (const extra of ofReason.slice(REFUSAL_ROWS_PER_REASON)) extra.remove();
  const counts = document.getElementById("refusal-counts");
  if (!counts) return;
  let item = [...counts.children].find((li) => li.dataset.reason === r.reason);
  if (!item) {
    item = el("li", { "data-reason": r.reason }, [
      el("span", { class: `reason reason-${r.reason}` }, [r.reasonText]),
      " ",
      el("span", { class: "count" }, []),
    ]);
    counts.append(item);
  }
  item.querySelector(".count").textContent = String(r.reasonTotal);
}

function showToken(t) {
  document.getElementById("token").textContent = t.token;
  const meta = document.getElementById("token-meta");
  meta.textContent = `From notification ${t.id}, received `;
  meta.append(timeNode(t.receivedAt), ".");
  document.getElementById("copy-token").disabled = false;
  document.getElementById("copy-status").textContent = "";
}

function showForwarding(sinks) {
  const body = document.querySelector("#forwarding tbody");
  if (!body) return;
  body.replaceChildren(
    ...sinks.map((s) =>
      el("tr", {}, [
        el("th", { scope: "row" }, [s.sink]),
        el("td", {}, [String(s.pending)]),
        el("td", {}, [String(s.delivered)]),
        el("td", {}, [String(s.failed)]),
      ]),
    ),
  );
}

function setUpCopyButton() {
  const button = document.getElementById("copy-token");
  const status = document.getElementById("copy-status");
  button.hidden = false;
  button.addEventListener("click", async () => {
    const token = document.getElementById("token").textContent;
    try {
      await navigator.clipboard.writeText(token);
      status.textContent = "Copied to the clipboard.";
    } catch {
      const range = document.createRange();
      range.selectNodeContents(document.getElementById("token"));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      status.textContent = "Copying was refused: the token is selected, press Ctrl+C.";
    }
  });
}

function connect() {
  const status = document.getElementById("live-status");
  const events = new EventSource("/events");
  const handlers = {
    notification: (data) => prepend("notifications", notificationRow(data)),
    refusal: showRefusal,
    token: showToken,
    forwarding: showForwarding,
  };
  for (const [name, handle] of Object.entries(handlers)) {
    events.addEventListener(name, (message) => handle(JSON.parse(message.data)));
  }
  events.addEventListener("open", () => {
    status.textContent = "Live: new notifications and refusals appear as they arrive.";
    document.body.dataset.live = "true";
  });
  events.addEventListener("error", () => {
    status.textContent = "Live updates interrupted; reconnecting.";
    document.body.dataset.live = "false";
  });
}

setUpCopyButton();
connect();

// One place to tell the user what happened: a polite status line for successes
// and an alert line for problems. Both are live regions that screen readers
// announce; each new notice replaces the last one.

const status = () => document.getElementById("status");
const alertLine = () => document.getElementById("alert");

function show(element, other, message) {
  other.textContent = "";
  // Emptied first, so that the same message twice is announced twice.
  element.textContent = "";
  requestAnimationFrame(() => {
    element.textContent = message;
  });
}

export function announce(message) {
  show(status(), alertLine(), message);
}

export function warn(message) {
  show(alertLine(), status(), message);
}

export function clearNotices() {
  status().textContent = "";
  alertLine().textContent = "";
}

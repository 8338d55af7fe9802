// Counts the catalogue's items in the browser: proof that the site's scripts load and run.
document.addEventListener("DOMContentLoaded", () => {
  const count = document.querySelectorAll("#items li[data-item-id]").length;
  document.getElementById("count").textContent = `${count} item(s) listed by the browser`;
});

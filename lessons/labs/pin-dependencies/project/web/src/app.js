// The notes page: htmx swaps the list in place when a note is saved.
import "htmx.org";

document.body.addEventListener("htmx:afterSwap", () => {
  document.querySelector("#note-body").value = "";
});

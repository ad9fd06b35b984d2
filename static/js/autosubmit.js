// Submits forms marked data-autosubmit once the page has loaded (SAML HTTP-POST binding hand-offs).
// A file, not an inline script, so that the Content-Security-Policy needs no 'unsafe-inline'; without
// JavaScript the form's own button does the same.
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
  form.submit();
});

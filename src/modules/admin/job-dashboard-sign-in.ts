// The page /admin/jobs/ answers (with 401) to a browser without a dashboard session: email and
// password go to the GraphQL `login` mutation, its token to POST /admin/jobs/session, which sets
// the session cookie; then the dashboard loads. No inline script (the CSP forbids it).

export const SIGN_IN_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

export const SIGN_IN_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0" />
<title>Jobs dashboard: sign in</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 22rem; margin: 4rem auto; padding: 0 1rem; }
label { display: block; margin: .8rem 0 .2rem; } input { width: 100%; padding: .4rem; box-sizing: border-box; }
button { margin-top: 1rem; padding: .5rem 1rem; } #error { color: #b00020; min-height: 1.2rem; }
</style>
</head>
<body>
<h1>Jobs dashboard</h1>
<p>Instance operators only. Sign in with your account.</p>
<form id="sign-in">
<label for="email">Email</label><input id="email" type="email" autocomplete="username" required />
<label for="password">Password</label><input id="password" type="password" autocomplete="current-password" required />
<button type="submit">Sign in</button>
<p id="error" role="alert"></p>
</form>
<script src="./sign-in.js"></script>
</body>
</html>
`;

export const SIGN_IN_JS = `'use strict';
(function () {
  var form = document.getElementById('sign-in');
  var error = document.getElementById('error');
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    error.textContent = '';
    var query = 'mutation DashboardLogin($email: String!, $password: String!) { login(email: $email, password: $password) { token } }';
    var variables = { email: document.getElementById('email').value, password: document.getElementById('password').value };
    fetch('../../graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: query, variables: variables }) })
      .then(function (res) { return res.json(); })
      .then(function (body) {
        if (!body.data || !body.data.login) throw new Error((body.errors && body.errors[0] && body.errors[0].message) || 'Sign-in failed');
        return fetch('./session', { method: 'POST', headers: { authorization: 'Bearer ' + body.data.login.token } });
      })
      .then(function (res) {
        if (res.status === 403) throw new Error('Only instance operators may open the jobs dashboard');
        if (!res.ok) throw new Error('Could not open a dashboard session (' + res.status + ')');
        window.location.reload();
      })
      .catch(function (e) { error.textContent = e.message; });
  });
})();
`;

// The login form posts the CSRF token the appliance set as the XSRF-TOKEN cookie.
import { cookie } from './api.js';

const params = new URLSearchParams(location.search);
const message = document.getElementById('message');
const say = (text) => { message.textContent = text; message.hidden = false; };
if (params.has('error')) say('Wrong user or password.');
else if (params.has('logout')) say('You are logged out.');
else if (params.has('expired')) say('Your session has ended: log in again.');

const form = document.querySelector('form');
form.addEventListener('submit', () => {
  document.getElementById('csrf').value = cookie('XSRF-TOKEN') ?? '';
});

// Renderer entry: one Pinia, the App, and zod told not to probe for eval, which the page's
// Content-Security-Policy forbids (the probe would log a CSP violation on every start).
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import { z } from 'zod'
import App from './App.vue'
import './assets/main.css'

z.config({ jitless: true })

createApp(App).use(createPinia()).mount('#app')

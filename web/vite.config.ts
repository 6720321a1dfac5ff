import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// Built to web/dist and served by Bulwark's server at `/` (the API shares the origin).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
})

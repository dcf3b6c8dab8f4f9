[
  "héllo ✓"
  "日本語"
  "emoji 🎉"
]

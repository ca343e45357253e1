// QRCode: see ARCHITECTURE.md

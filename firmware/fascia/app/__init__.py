"""The device application: main loop, modes, screens, the session log store and the BLE service."""

# Driver for test_standard_views.py: the advertising payloads with BTHome (device names of several
# lengths) and a few CSC event times, as hex, on either runtime.
import json
import sys

from fascia.app.blesetup import advertising_payloads
from fascia.app.blestandard import bthome_response
from fascia.spec import bthome, csc

for name in sys.argv[1:]:
    adv = advertising_payloads(name)[0]
    resp = bthome_response(name)
    bthome.pack_into(resp, 0, 87, 1, 123456)
    print(json.dumps([name, adv.hex(), bytes(resp).hex()]))
print(json.dumps([csc.event_ticks(ms) for ms in (0, 1000, 63999, 64000, 1000000, 86400000)]))

"""The demo world's fictional candidate: who they are, and the profile they would write.

Everything is invented. Phone numbers are from Ofcom's drama ranges (07700 900xxx,
01632 960xxx), domains are under the reserved ``.example``, and the postcode is well formed
but in an area (ZX) that does not exist. The world built from this (auditor/demo/content/)
plants at least one problem for every check family, next to things done right.
"""

from __future__ import annotations

NAME = "Alex Marlowe"
ALIASES = ("Alexandra Marlowe", "Cllr Alex Marlowe")
COUNCIL = "Fernbridge District Council"
WARD = "Hollin Vale"
PARTY = "Fernbridge Progressives"

# The home address: what the exposure checks must find (and must never send anywhere).
HOME_NUMBER = "14"
HOME_STREET = "Larkspur Crescent"
HOME_LOCALITY = "Pelham Green"  # a village in the ward; the ward name itself is public
HOME_TOWN = "Fernbridge"
HOME_POSTCODE = "ZX4 7PN"
HOME_LAT = 52.04137
HOME_LON = -1.83291
HOME_LINES = (f"{HOME_NUMBER} {HOME_STREET}", HOME_LOCALITY, HOME_TOWN)
HOME_ONE_LINE = ", ".join((*HOME_LINES, HOME_POSTCODE))
# Decoys on the same street and in the same town: must not be flagged as the home.
NEIGHBOUR_ADDRESS = f"16 {HOME_STREET}, {HOME_LOCALITY}"
OFFICE_LINES = ("Unit 3, Mill Yard", "27 Station Road", HOME_TOWN)
OFFICE_POSTCODE = "ZX4 2BD"

MOBILE = "+447700900461"  # personal: on the about page as a tel: link
MOBILE_DISPLAY = "07700 900461"
LANDLINE = "+441632960274"  # home landline: on the party's profile page
LANDLINE_DISPLAY = "01632 960274"
OFFICE_PHONE_DISPLAY = "01632 960815"  # the campaign office: fine to publish

PERSONAL_EMAIL = "alex.marlowe@postbox.example"  # obfuscated on a sitemap-only page
CAMPAIGN_EMAIL = "alex@alexmarlowe.example"  # public on purpose

DOMAIN = "alexmarlowe.example"  # the campaign domain: most planted problems live here
PARKED_DOMAIN = "marlowe4hollinvale.example"  # parked correctly: null MX, -all, p=reject
LOOKALIKES = ("alexmarl0we.example", "alex-marlowe.example")  # registered by an "attacker"
PARTY_DOMAIN = "fernbridgeprogressives.example"
SERVICES_DOMAIN = "services.example"  # the loopback stand-ins for RDAP, HIBP, 2fa.directory
WEBSITE = f"https://www.{DOMAIN}/"
PARTY_PAGE = f"https://www.{PARTY_DOMAIN}/people/alex-marlowe"

AGENT = "Sam Okafor"  # the election agent named in the leaflet imprint
DEMO_PASSWORD = "password123"  # in the Pwned Passwords fixture, for the password check demo

DEMO_PROFILE_TOML = f"""\
# The demo candidate (fictional). `auditor demo` audits this profile against a world
# served on loopback.
name = "{NAME}"
aliases = {list(ALIASES)!r}
party = "{PARTY}"
area = "{WARD}"
phones = ["{MOBILE_DISPLAY}", "{LANDLINE_DISPLAY}"]
emails = ["{PERSONAL_EMAIL}"]
domains = ["{DOMAIN}", "{PARKED_DOMAIN}"]
websites = ["{WEBSITE}"]
extra_pages = ["{PARTY_PAGE}"]
dkim_selectors = ["news"]

[[home]]
lines = {list(HOME_LINES)!r}
postcode = "{HOME_POSTCODE}"
latitude = {HOME_LAT}
longitude = {HOME_LON}

[[public_address]]
label = "party office"
lines = {list(OFFICE_LINES)!r}
postcode = "{OFFICE_POSTCODE}"

[[account]]
service = "gmail"
handle = "{PERSONAL_EMAIL}"
twofa = "none"
attested_on = "2026-10-01"
primary_email = true

[[account]]
service = "microsoft-365"
handle = "{CAMPAIGN_EMAIL}"
twofa = "totp"
second_factor_holder = "me"
attested_on = "2026-10-01"

[[account]]
service = "facebook"
handle = "AlexMarloweHollinVale"
twofa = "none"
attested_on = "2026-10-01"
shared = true

[[account]]
service = "x"
handle = "@AlexMarlowe4HV"
twofa = "sms"
second_factor_holder = "agent"
attested_on = "2026-10-01"
shared = true

[[account]]
service = "whatsapp"
handle = "{MOBILE_DISPLAY}"
twofa = "none"
attested_on = "2026-10-01"

[[account]]
service = "123-reg"
handle = "alexmarlowe"
twofa = "security-key"
second_factor_holder = "me"
attested_on = "2026-10-01"

[[account]]
service = "councillor-portal.example"
handle = "amarlowe"
twofa = "unknown"
"""

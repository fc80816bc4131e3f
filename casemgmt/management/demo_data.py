"""The demo bank that `manage.py seed_demo` builds: its case definitions, teams, staff and starting grants.

Everything here is plain data. The command turns it into rows, and the fixed seed below makes the
generated cases the same on every run.
"""

from dataclasses import dataclass, field

RANDOM_SEED = 2026
DEFAULT_PASSWORD = "demo-pass-2026"

# Cases are spread over this many days before the day the demo is seeded.
CASE_AGE_DAYS = 730


@dataclass(frozen=True)
class DefinitionSpec:
    name: str
    prefix: str
    description: str
    case_count: int
    creator_group: str
    title_templates: tuple
    access_controlled: bool = True


@dataclass(frozen=True)
class UserSpec:
    username: str
    first_name: str
    last_name: str
    groups: tuple = ()
    is_superuser: bool = False
    is_active: bool = True
    role: str = ""


@dataclass(frozen=True)
class GrantSpec:
    """A starting grant. `subject` is a username or a group name, and `case` a case number or None."""

    subject: str
    definition: str
    level: str
    subject_is_group: bool = True
    case: str | None = None
    reason: str = field(default="", compare=False)


DEBT = "DEBT"
INV = "INV"
FRAUD = "FRAUD"
COMP = "COMP"
LOAN = "LOAN"
IT = "IT"

DEBT_CONTROL = "Debt control"
INVESTMENT_RESEARCH = "Investment research"
FRAUD_TEAM = "Fraud team"
CUSTOMER_SERVICE = "Customer service"
IT_SUPPORT = "IT support"
ACCESS_MANAGERS = "Access managers"

GROUPS = (DEBT_CONTROL, INVESTMENT_RESEARCH, FRAUD_TEAM, CUSTOMER_SERVICE, IT_SUPPORT, ACCESS_MANAGERS)

# The holders of these model permissions read or write the cases of definitions whose access
# control is off (here: Internal IT request).
GROUP_MODEL_PERMISSIONS = {
    ACCESS_MANAGERS: ("grants.manage_access",),
    IT_SUPPORT: ("casemgmt.change_caseinstance",),
}

DEFINITIONS = (
    DefinitionSpec(
        name="Debt collection",
        prefix=DEBT,
        description="Overdue loans, cards and mortgages, from the first reminder to the payment plan.",
        case_count=600,
        creator_group=DEBT_CONTROL,
        title_templates=(
            "Overdue mortgage payment – {customer}",
            "Credit card arrears – {customer}",
            "Personal loan default – {customer}",
            "Payment plan request – {customer}",
            "Returned direct debit – {customer}",
            "Overdraft limit exceeded – {customer}",
            "Car loan arrears – {customer}",
            "Debt sale review – {customer}",
        ),
    ),
    DefinitionSpec(
        name="Investment research",
        prefix=INV,
        description="Research notes and reviews that feed the bank's investment advice.",
        case_count=300,
        creator_group=INVESTMENT_RESEARCH,
        title_templates=(
            "Equity research note – {company}",
            "Quarterly earnings review – {company}",
            "Bond issuance review – {company}",
            "ESG screening – {company}",
            "Credit rating watch – {company}",
            "Sector outlook – {sector}",
        ),
    ),
    DefinitionSpec(
        name="Fraud investigation",
        prefix=FRAUD,
        description="Suspected fraud on customer accounts and cards. Access is restricted to the fraud team.",
        case_count=250,
        creator_group=FRAUD_TEAM,
        title_templates=(
            "Card skimming report – {customer}",
            "Suspicious wire transfer – {customer}",
            "Account takeover – {customer}",
            "Phishing victim – {customer}",
            "Identity theft claim – {customer}",
            "Unusual ATM withdrawals – {customer}",
            "Cheque fraud – {customer}",
        ),
    ),
    DefinitionSpec(
        name="Customer complaint",
        prefix=COMP,
        description="Complaints from customers, by letter, phone, branch or app.",
        case_count=500,
        creator_group=CUSTOMER_SERVICE,
        title_templates=(
            "Disputed account fee – {customer}",
            "Branch service complaint – {customer}",
            "Mobile app login failure – {customer}",
            "Late account statement – {customer}",
            "Card declined abroad – {customer}",
            "Call centre waiting time – {customer}",
            "Wrong interest charged – {customer}",
            "Collection letter dispute – {customer}",
        ),
    ),
    DefinitionSpec(
        name="Loan application",
        prefix=LOAN,
        description="Applications for mortgages, car loans and credit limit increases.",
        case_count=230,
        creator_group=CUSTOMER_SERVICE,
        title_templates=(
            "Mortgage application – {customer}",
            "Car loan application – {customer}",
            "Credit limit increase – {customer}",
            "Remortgage request – {customer}",
            "Small business loan – {company}",
        ),
    ),
    DefinitionSpec(
        name="Internal IT request",
        prefix=IT,
        description="Laptops, accounts and software for staff. Access control is off: model permissions decide.",
        case_count=120,
        creator_group=IT_SUPPORT,
        access_controlled=False,
        title_templates=(
            "Laptop replacement – {employee}",
            "VPN access – {employee}",
            "Password reset – {employee}",
            "New monitor – {employee}",
            "Software licence request – {employee}",
            "Printer jam on floor {floor}",
        ),
    ),
)

CUSTOMER_INITIALS = "ABCDEFGHIJKLMNOPRSTVW"
CUSTOMER_SURNAMES = (
    "Alvarez", "Andersson", "Baker", "Bianchi", "Brennan", "Castillo", "Dimitrov", "Doyle", "Eriksen",
    "Farouk", "Fontaine", "Garcia", "Gill", "Hoffmann", "Ibrahim", "Jansen", "Kaur", "Kovacs", "Larsen",
    "Lindholm", "Moreau", "Mwangi", "Nakamura", "Nielsen", "O'Brien", "Okonkwo", "Patel", "Pereira",
    "Quinn", "Reyes", "Schulz", "Silva", "Sokolova", "Thompson", "Van Dijk", "Varga", "Walker", "Yamamoto",
    "Zhang", "Zielinski",
)
COMPANIES = (
    "Northwind Logistics", "Helios Energy", "Bluewater Shipping", "Aurora Pharma", "Granite Cement",
    "Copperleaf Foods", "Vantage Semiconductors", "Meridian Telecom", "Silverline Rail", "Oakridge Insurance",
    "Polar Wind Farms", "Crescent Retail", "Summit Healthcare", "Ironbridge Steel", "Lumen Software",
)
SECTORS = (
    "European banks", "renewable energy", "semiconductors", "consumer staples", "commercial real estate",
    "telecoms", "healthcare", "shipping",
)

PRIORITY_WEIGHTS = {"low": 20, "normal": 55, "high": 20, "urgent": 5}

# The four logins the command prints, by role.
ADMIN = "admin"
ACCESS_MANAGER = "maria.lopez"
DEBT_CONTROL_MEMBER = "david.chen"
NO_ACCESS_USER = "nina.patel"

USERS = (
    UserSpec(ADMIN, "Ada", "Admin", is_superuser=True, role="superuser: writes every case"),
    UserSpec(ACCESS_MANAGER, "Maria", "Lopez", (ACCESS_MANAGERS,), role="access manager: grants and revokes"),
    UserSpec("thomas.weber", "Thomas", "Weber", (ACCESS_MANAGERS, FRAUD_TEAM)),
    UserSpec(DEBT_CONTROL_MEMBER, "David", "Chen", (DEBT_CONTROL,), role="Debt control member"),
    UserSpec("sarah.lindqvist", "Sarah", "Lindqvist", (DEBT_CONTROL,)),
    UserSpec("sofia.rossi", "Sofia", "Rossi", (DEBT_CONTROL,)),
    UserSpec("james.okafor", "James", "Okafor", (DEBT_CONTROL,)),
    UserSpec("elena.petrova", "Elena", "Petrova", (DEBT_CONTROL,)),
    UserSpec("lucas.martin", "Lucas", "Martin", (DEBT_CONTROL,)),
    UserSpec("hannah.schmidt", "Hannah", "Schmidt", (DEBT_CONTROL,)),
    UserSpec("omar.haddad", "Omar", "Haddad", (DEBT_CONTROL,)),
    UserSpec("grace.kim", "Grace", "Kim", (DEBT_CONTROL, CUSTOMER_SERVICE)),
    UserSpec("george.miller", "George", "Miller", (DEBT_CONTROL,), is_active=False),
    UserSpec("olivia.bennett", "Olivia", "Bennett", (INVESTMENT_RESEARCH,)),
    UserSpec("arjun.mehta", "Arjun", "Mehta", (INVESTMENT_RESEARCH,)),
    UserSpec("chloe.dubois", "Chloé", "Dubois", (INVESTMENT_RESEARCH,)),
    UserSpec("felix.wagner", "Felix", "Wagner", (INVESTMENT_RESEARCH,)),
    UserSpec("isabel.santos", "Isabel", "Santos", (INVESTMENT_RESEARCH,)),
    UserSpec("noah.fischer", "Noah", "Fischer", (INVESTMENT_RESEARCH,)),
    UserSpec("julia.costa", "Julia", "Costa", (INVESTMENT_RESEARCH,)),
    UserSpec("liam.oconnor", "Liam", "O'Connor", (FRAUD_TEAM,)),
    UserSpec("amara.nwosu", "Amara", "Nwosu", (FRAUD_TEAM,)),
    UserSpec("viktor.horvat", "Viktor", "Horvat", (FRAUD_TEAM,)),
    UserSpec("yuki.tanaka", "Yuki", "Tanaka", (FRAUD_TEAM,)),
    UserSpec("ben.walsh", "Ben", "Walsh", (FRAUD_TEAM,)),
    UserSpec("peter.novak", "Peter", "Novak", (FRAUD_TEAM,)),
    UserSpec("emma.johansson", "Emma", "Johansson", (CUSTOMER_SERVICE,)),
    UserSpec("carlos.rivera", "Carlos", "Rivera", (CUSTOMER_SERVICE,)),
    UserSpec("fatima.aziz", "Fatima", "Aziz", (CUSTOMER_SERVICE,)),
    UserSpec("jonas.berg", "Jonas", "Berg", (CUSTOMER_SERVICE,)),
    UserSpec("mia.kowalski", "Mia", "Kowalski", (CUSTOMER_SERVICE,)),
    UserSpec("ruth.adeyemi", "Ruth", "Adeyemi", (CUSTOMER_SERVICE,)),
    UserSpec("tom.hughes", "Tom", "Hughes", (CUSTOMER_SERVICE,)),
    UserSpec("ahmed.yilmaz", "Ahmed", "Yilmaz", (CUSTOMER_SERVICE,)),
    UserSpec("anna.kowalczyk", "Anna", "Kowalczyk", (CUSTOMER_SERVICE,)),
    UserSpec("kevin.murphy", "Kevin", "Murphy", (IT_SUPPORT,)),
    UserSpec("priya.nair", "Priya", "Nair", (IT_SUPPORT,)),
    UserSpec("samir.khan", "Samir", "Khan", (IT_SUPPORT,)),
    UserSpec("lena.hoffmann", "Lena", "Hoffmann", ()),
    UserSpec(NO_ACCESS_USER, "Nina", "Patel", (), role="no access: a new joiner in no group"),
)

# Debt control has no grant on Debt collection at the start, so that the demo (and the browser
# test) can show an access manager granting it.
GRANTS = (
    GrantSpec(INVESTMENT_RESEARCH, INV, "write"),
    GrantSpec(FRAUD_TEAM, FRAUD, "write"),
    GrantSpec(FRAUD_TEAM, DEBT, "read", reason="fraud analysts check the debt history of a suspect account"),
    GrantSpec(CUSTOMER_SERVICE, COMP, "write"),
    GrantSpec(CUSTOMER_SERVICE, LOAN, "write"),
    GrantSpec(DEBT_CONTROL, COMP, "read", reason="complaints about collection letters reach debt control"),
    GrantSpec("liam.oconnor", DEBT, "write", subject_is_group=False, reason="fraud team lead"),
    GrantSpec(DEBT_CONTROL_MEMBER, FRAUD, "read", subject_is_group=False, case="FRAUD-000007",
              reason="a fraud case that began as unpaid debt"),
    GrantSpec(FRAUD_TEAM, COMP, "read", case="COMP-000042", reason="a complaint about an unknown card payment"),
)

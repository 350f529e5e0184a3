"""Orders, invoices, payments, credit cards, subscriptions and products.

Field lists, types and access: spec xmlrpc-api.md §3.4 (the vendor's 2014 table-schema scrape, with the
2012 field-access file's Java types). A bare ``number`` is typed ``double`` where it holds money and
``int`` elsewhere; fields "added after 2014", whose access was never published, are read-only.

Table access follows the 2014 per-field lists, except that InvoiceItem and OrderItem stay read-only
(their rows are written through InvoiceService, as spec §3.3 suggests) and the R tables of 2012 (Invoice,
InvoicePayment, Payment, PayPlan, PayPlanItem, CCharge) are kept read-only: their totals are maintained by
InvoiceService and OrderService.
"""
from __future__ import annotations

from .model import FORM_ORDER, FORM_SUBSCRIPTION, Join, snake, table

JOB = table(
    "Job", entity="job", access="EAR", custom_form=FORM_ORDER,
    description="One-time orders (one invoice each); subscription renewals are orders too (`JobRecurringId`).",
    fields="""
Id int R
JobTitle string EAR
ContactId int EAR
StartDate datetime EAR
DueDate datetime EAR
JobNotes string EAR
ProductId int EAR
JobStatus string EAR
DateCreated datetime R
LastUpdated datetime R   # added to the real Job table in 2016, as to Invoice
JobRecurringId int R
OrderType string EAR
OrderStatus int EAR
ShipFirstName string EAR
ShipMiddleName string EAR
ShipLastName string EAR
ShipCompany string EAR
ShipPhone string EAR
ShipStreet1 string EAR
ShipStreet2 string EAR
ShipCity string EAR
ShipState string EAR
ShipZip string EAR
ShipCountry string EAR
""",
)

ORDER_ITEM = table(
    "OrderItem", entity="order_item", access="R",
    description="Line items of orders; written through InvoiceService/OrderService only.",
    fields="""
Id int R
OrderId int EAR
ProductId int EAR
SubscriptionPlanId int EAR
ItemName string EAR
Qty int EAR
CPU double EAR   # cost per unit
PPU double EAR   # price per unit
ItemDescription string EAR
ItemType int EAR
Notes string EAR
""",
)

INVOICE = table(
    "Invoice", entity="invoice", access="R",
    description="Invoices: totals, paid and due amounts kept by InvoiceService and OrderService.",
    fields="""
Id int R
ContactId int R
JobId int R
DateCreated datetime R
InvoiceTotal double R
TotalPaid double R
TotalDue double R
PayStatus int R
CreditStatus int R
RefundStatus int R
PayPlanStatus int R
AffiliateId int R
LeadAffiliateId int R
PromoCode string R
InvoiceType string R
Description string R
ProductSold string R
Synced int R
LastUpdated datetime R   # added after 2014
""",
)

INVOICE_ITEM = table(
    "InvoiceItem", entity="invoice_item", access="R",
    description="Invoice lines, one per order item; written through InvoiceService/OrderService only.",
    fields="""
Id int R
InvoiceId int EAR
OrderItemId int R
InvoiceAmt double EAR
Discount double EAR
DateCreated datetime R
Description string EAR
CommissionStatus int EAR
LastUpdated datetime R   # added after 2014
""",
)

INVOICE_PAYMENT = table(
    "InvoicePayment", entity="invoice_payment", access="R",
    description="Each payment applied to an invoice.",
    fields="""
Id int R
InvoiceId int R
Amt double R
PayDate datetime R
PayStatus string R
PaymentId int R
SkipCommission int R
LastUpdated datetime R   # added after 2014
""",
)

PAYMENT = table(
    "Payment", entity="payment", access="R",
    description="Payments of every kind (cards through the merchant, cash, check …); no refunds through the API.",
    fields="""
Id int R
PayDate datetime R
UserId int R
PayAmt double R
PayType string R
ContactId int R
PayNote string R
InvoiceId int R
RefundId int R
ChargeId int R
Commission double R
Synced int R
""",
)

PAY_PLAN = table(
    "PayPlan", entity="pay_plan", access="R",
    description="The payment plan of each invoice (a single payment unless InvoiceService.addPaymentPlan).",
    fields="""
Id int R
InvoiceId int R
DateDue datetime R
AmtDue double R
Type int R
InitDate datetime R
StartDate datetime R
FirstPayAmt double R
""",
)

PAY_PLAN_ITEM = table(
    "PayPlanItem", entity="pay_plan_item", access="R",
    description="What portion of an invoice is due on each date of its payment plan.",
    fields="""
Id int R
PayPlanId int R
DateDue datetime R
AmtDue double R
Status int R
AmtPaid double R
""",
)

CCHARGE = table(
    "CCharge", entity="ccharge", access="R",
    description="Card charges approved by a merchant account.",
    fields="""
Id int R
CCId int R
PaymentId string R
MerchantId string R
OrderNum string R
RefNum string R
ApprCode string R
Amt double R
PaymentGatewayId int R   # added after 2014
""",
)

CREDIT_CARD = table(
    "CreditCard", entity="credit_card", access="EAR",
    description="Cards on file. `CardNumber` and `CVV2` can be written, never read: `Last4` is what shows.",
    fields="""
Id int R
ContactId int AR
BillName string EAR
FirstName string EAR
LastName string EAR
PhoneNumber string EAR
Email string EAR
BillAddress1 string EAR
BillAddress2 string EAR
BillCity string EAR
BillState string EAR
BillZip string EAR
BillCountry string EAR
ShipFirstName string EAR
ShipMiddleName string EAR
ShipLastName string EAR
ShipCompanyName string EAR
ShipPhoneNumber string EAR
ShipAddress1 string EAR
ShipAddress2 string EAR
ShipCity string EAR
ShipState string EAR
ShipZip string EAR
ShipCountry string EAR
ShipName string EAR
NameOnCard string EAR
CardNumber string A
Last4 string R
ExpirationMonth string EAR
ExpirationYear string EAR
CVV2 string EA
Status int R
CardType string EAR
StartDateMonth string EAR
StartDateYear string EAR
MaestroIssueNumber string EAR
""",
    column_map={"CVV2": "cvv2"},
)

# CProgram (the older "subscription program" view) and SubscriptionPlan are two views of one entity: a
# subscription plan of a product. addRecurringOrder's "cProgramId" is a subscription plan id.
CPROGRAM = table(
    "CProgram", entity="subscription_plan", access="EAR",
    description="Subscription programs: the older view of subscription plans (the same ids).",
    fields="""
Id int R
ProgramName string EAR
DefaultPrice double EAR
DefaultCycle string EAR
DefaultFrequency int EAR
Sku string EAR
ShortDescription string EAR
BillingType string EAR
Description string EAR
HideInStore int EAR
Status int EAR
Active boolean EAR
LargeImage blob EAR
Taxable int EAR
Family string EAR
ProductId int EAR
""",
    column_map={"DefaultPrice": "plan_price", "DefaultCycle": "cycle", "DefaultFrequency": "frequency"},
)

SUBSCRIPTION_PLAN = table(
    "SubscriptionPlan", entity="subscription_plan", access="EAR",
    description="Subscription plans of products (cycle, frequency, price).",
    fields="""
Id int R
ProductId int EAR
Cycle string EAR
Frequency int EAR
PreAuthorizeAmount double EAR
Prorate boolean EAR
Active boolean EAR
PlanPrice double EAR
NumberOfCycles int R   # added after 2014
""",
)

RECURRING_ORDER = table(
    "RecurringOrder", entity="recurring_order", access="EAR", custom_form=FORM_SUBSCRIPTION,
    internal_name="JobRecurring",
    description="Subscriptions of contacts; billed on their next bill date (automatically when AutoCharge).",
    fields="""
Id int R
ContactId int EAR
OriginatingOrderId int R
ProgramId int EAR
SubscriptionPlanId int EAR
ProductId int EAR
StartDate datetime EAR
EndDate datetime EAR
LastBillDate datetime EAR
NextBillDate datetime R
PaidThruDate datetime EAR
BillingCycle string EAR
Frequency int EAR
BillingAmt double EAR
Status string EAR
ReasonStopped string EAR
AutoCharge int EAR
CC1 int EAR
CC2 int EAR
NumDaysBetweenRetry int EAR
MaxRetry int EAR
MerchantAccountId int EAR
AffiliateId int EAR
PromoCode string EAR
LeadAffiliateId int EAR
Qty int EAR
ShippingOptionId int EAR
PaymentGatewayId int R   # added after 2014
""",
    column_map={"CC1": "cc1", "CC2": "cc2"},
)

# The contact columns of the view; custom contact fields are not retrievable through it (vendor doc), and
# HTMLSignature/Signature are absent (recorded: "No field found: RecurringOrderWithContact.HTMLSignature").
_RO_CONTACT_FIELDS = ("City", "Email", "EmailAddress2", "EmailAddress3", "FirstName", "LastName", "MiddleName",
                      "Nickname", "Phone1", "Phone1Ext", "Phone1Type", "Phone2", "Phone2Ext", "Phone2Type",
                      "PostalCode", "SpouseName", "State", "Country", "StreetAddress1", "StreetAddress2",
                      "Suffix", "Title", "ZipFour1")

RECURRING_ORDER_WITH_CONTACT = table(
    "RecurringOrderWithContact", entity="recurring_order", access="R", key="RecurringOrderId",
    description="RecurringOrder with the subscriber's contact fields, read-only.",
    fields="""
RecurringOrderId int R
ContactId int R
ProgramId int R
SubscriptionPlanId int R
ProductId int R
StartDate datetime R
EndDate datetime R
LastBillDate datetime R
NextBillDate datetime R
PaidThruDate datetime R
BillingCycle string R
Frequency int R
BillingAmt double R
Status string R
ReasonStopped string R
AutoCharge int R
CC1 int R
CC2 int R
NumDaysBetweenRetry int R
MaxRetry int R
MerchantAccountId int R
AffiliateId int R
PromoCode string R
LeadAffiliateId int R
Qty int R
Id int R                   # added after 2014
OriginatingOrderId int R   # added after 2014
PaymentGatewayId int R     # added after 2014
ShippingOptionId int R     # added after 2014
""" + "".join(f"{name} string R\n" for name in _RO_CONTACT_FIELDS),
    column_map={"RecurringOrderId": "id", "CC1": "cc1", "CC2": "cc2"},
    joins={name: Join(entity="contact", local="contact_id", column=snake(name)) for name in _RO_CONTACT_FIELDS},
)

JOB_RECURRING_INSTANCE = table(
    "JobRecurringInstance", entity="job_recurring_instance", access="EAR",
    description="One row per billed cycle of a subscription, pointing at its invoice line.",
    fields="""
Id int R
RecurringId int EAR
InvoiceItemId int EAR
Status int EAR
AutoCharge int EAR
StartDate datetime EAR
EndDate datetime EAR
DateCreated datetime R
Description string EAR
""",
)

PRODUCT = table(
    "Product", entity="product", access="EAR",
    description="One-time products (inventory through ProductService).",
    fields="""
Id int R
ProductName string EAR
ProductPrice double EAR
Sku string EAR
ShortDescription string EAR
Taxable int EAR
CountryTaxable int EAR
StateTaxable int EAR
CityTaxable int EAR
Weight double EAR
IsPackage int EAR
NeedsDigitalDelivery int EAR
Description string EAR
HideInStore int EAR
Status int EAR
TopHTML string EAR
BottomHTML string EAR
ShippingTime string EAR
LargeImage blob EAR
InventoryNotifiee string EAR
InventoryLimit int EAR
Shippable int EAR
DateCreated datetime R   # added after 2014
LastUpdated datetime R   # added after 2014
""",
    column_map={"TopHTML": "top_html", "BottomHTML": "bottom_html"},
)

PRODUCT_CATEGORY = table(
    "ProductCategory", entity="product_category", access="EDAR",
    description="Product categories and subcategories (`ParentId`).",
    fields="""
Id int R
CategoryDisplayName string EDAR
CategoryImage blob EDAR
CategoryOrder int EDAR
ParentId int EDAR
""",
)

PRODUCT_CATEGORY_ASSIGN = table(
    "ProductCategoryAssign", entity="product_category_assign", access="EAR",
    description="Which categories each product is in.",
    fields="""
Id int R
ProductId int EAR
ProductCategoryId int EAR
""",
)

PRODUCT_INTEREST = table(
    "ProductInterest", entity="product_interest", access="EDAR",
    description="Products and subscriptions an opportunity (or a bundle) is about.",
    fields="""
Id int R
ObjectId int EDAR
ObjType string EDAR
ProductId int EDAR
ProductType string EDAR
Qty int EDAR
DiscountPercent double EDAR
SubscriptionPlanId int R   # added after 2014
""",
)

PRODUCT_INTEREST_BUNDLE = table(
    "ProductInterestBundle", entity="product_interest_bundle", access="EAR",
    description="Product interest bundles (Sales Settings).",
    fields="""
Id int R
BundleName string EAR
Description string EAR
""",
)

PRODUCT_OPTION = table(
    "ProductOption", entity="product_option", access="EDAR",
    description="Options a product can be ordered with (size, colour, engraving text …).",
    fields="""
Id int R
ProductId int EDAR
Label string EDAR
IsRequired int EDAR
Order int EDAR
Name string EDAR
MaxChars int EDAR
CanEndWith int EDAR
MinChars int EDAR
AllowSpaces int EDAR
TextMessage int EDAR
OptionType string EDAR
CanContain string EDAR
CanStartWith string EDAR
""",
    column_map={"Order": "option_order"},
)

PRODUCT_OPT_VALUE = table(
    "ProductOptValue", entity="product_opt_value", access="EDAR",
    description="The values of a list product option, with their price adjustments.",
    fields="""
Id int R
ProductOptionId int EDAR
Label string EDAR
Sku string EDAR
IsDefault int EDAR
Name string EDAR
OptionIndex int EDAR
PriceAdjustment double EDAR
""",
)

TABLES = (
    JOB, ORDER_ITEM, INVOICE, INVOICE_ITEM, INVOICE_PAYMENT, PAYMENT, PAY_PLAN, PAY_PLAN_ITEM, CCHARGE,
    CREDIT_CARD, CPROGRAM, SUBSCRIPTION_PLAN, RECURRING_ORDER, RECURRING_ORDER_WITH_CONTACT,
    JOB_RECURRING_INSTANCE, PRODUCT, PRODUCT_CATEGORY, PRODUCT_CATEGORY_ASSIGN, PRODUCT_INTEREST,
    PRODUCT_INTEREST_BUNDLE, PRODUCT_OPTION, PRODUCT_OPT_VALUE,
)

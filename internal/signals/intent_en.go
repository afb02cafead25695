package signals

import (
	"slices"
	"strings"
	"sync"
)

// English churn-intent patterns.
//
// A text is cut into lower-case words, each tagged with its clause (cut at
// , ; : ( ) and at sentence ends), its sentence (cut at . ! ? and new
// lines; a '.' or ',' between two letters or digits, "monday.com", "2,990",
// cuts nothing) and whether it was written with a capital letter. A pattern
// is a sequence of matchers, all within one clause:
//
//	word      the word itself
//	pre*      a word starting with pre
//	a|b*|c    one of the alternatives
//	@         a name: a capitalised word that is not a common English word
//	          ("HubSpot", "Zoho")
//	%         a percentage ("20%")
//	...       up to five words of any kind
//	$         the end of the clause
//
// Up to two determiners ("my", "the", "us", ...) may stand between two
// consecutive word matchers. A match does not count when
//
//   - a stop word stands inside it or in the five words after it (an
//     innocent object: "cancel the export job"), unless, for a cancel
//     pattern, a subscription word stands there too ("cancel my plan and
//     the export job");
//   - a before word stands in the six words before it in its clause ("our
//     customers ask for refunds");
//   - need is set and the sentence has none of its words;
//   - it is negated ("we are not cancelling", "no need to cancel", "we were
//     about to look elsewhere"), or, for a wantNeg pattern ("renew"), it is
//     not.
type enPattern struct {
	intent Intent
	words  string
	stop   map[string]bool
	before map[string]bool
	need   map[string]bool
	// wantNeg: the phrase counts only when negated ("not renew").
	wantNeg bool
	// needText: need is looked for in the whole text, not only in the
	// sentence ("The charge went through twice. I need one of them
	// reversed.").
	needText bool
	// gap: the words that a "..." of the pattern may skip; any word when
	// nil ("switch everything over to Zoho", not "switch our SSO provider to
	// Okta").
	gap map[string]bool
	// notEnd: the match does not count at the end of its clause ("is there
	// something smaller we can move to?").
	notEnd bool
	// notName: the match does not count when a name follows it (a person:
	// "downgrade Maria to a read-only user").
	notName bool
	// nameRescue: stop words do not count when a name follows the match
	// ("migrating to Salesforce Service Cloud").
	nameRescue bool
	// needName: the text names a product ("... prefers Kustomer, so we'll
	// be piloting it").
	needName bool
	// received: the phrase does not count in a sentence that says the money
	// came, unless the sentence also says it has not ("the refund came
	// through, thanks" is no request; "got the notice but the money hasn't
	// arrived" is).
	received bool
}

var (
	stopCancel = set("job jobs run runs task tasks build builds export exports import imports upload uploads download downloads " +
		"meeting meetings invite invites invitation invitations email emails notification notifications query queries sync " +
		"report reports event events booking bookings appointment appointments order orders print operation process deployment " +
		"payment campaign campaigns ticket tickets duplicate workflow workflows scheduled schedule reservation reservations " +
		"webinar call calls demo transaction transactions shipment shipments invoice invoices sequence automation automations " +
		"broadcast message messages draft drafts reminder reminders session sessions batch policy digest newsletter newsletters webinar webinars " +
		"add addon addons module modules feature features plugin plugins extension quote quotes estimate proposal key keys token tokens")
	beforeCancel = set("order orders customer customers shopper shoppers client clients buyer buyers guest guests invitee invitees attendee attendees one " +
		"webinar webinars meeting meetings call demo event events session invoice invite invitation ticket tickets job jobs export report")
	stopUnsub = set("email emails newsletter newsletters mailing list marketing notifications notification digest alerts " +
		"agent agents user users member members colleague colleagues staff someone people team teams")
	stopUser = set("user users employee employees colleague colleagues staff member members agent agents contractor contractors " +
		"test demo sandbox duplicate old sub guest guests from his her")
	stopAccount = set("user users employee employees colleague colleagues staff member members agent agents contractor contractors " +
		"test demo sandbox duplicate old sub guest guests from his her of")
	beforeAccount = set("user users employee employee's colleague colleague's staff member member's agent contractor test demo sandbox duplicate guest customer customer's")
	stopSwitch    = set("plan plans annual yearly monthly quarterly tier tiers version mode tab view page setting settings billing pro premium " +
		"basic enterprise business team free paid dark light english language languages user users account address office city country " +
		"location folder trash invoice invoicing card workspace profile lite starter standard essentials cheaper smaller lower " +
		"edition package region server servers datacenter eu new domain cloud you yours here your dashboard contact owner admin email center data " +
		"something anything editor interface layout ui design theme sso login signin auth authentication bank phone number inbox channel")
	// gapMove: the words that may stand between a move and its "to"
	// ("move all our support tickets over to Zendesk"); anything else there
	// is the thing moved ("switched our SSO provider to Okta").
	gapMove = set("my our the this that your a an their entire whole company team organization organisation org workspace business us " +
		"everything all over fully completely entirely eventually gradually officially formally probably likely soon slowly " +
		"support sales marketing teams desk helpdesk crm data tickets contacts operations ops workflows stuff things accounts back them to onto " +
		"some most several few half part of first remaining rest other")
	stopAlt     = set("way ways method methods approach workaround route to email address payment contact option options format text")
	stopOther   = set("has have does do support supports lets let allow allows show shows can include includes already record records field fields profile profiles queue queues team teams folder")
	beforeOther = set("every most all many")
	stopTrial   = set("integration integrations connector connectors zap zaps plugin plugins api webhook webhooks sync plan tier edition module feature")
	stopReplace = set("card cards invoice invoices part parts device devices key keys token tokens password passwords user users logo image images file files text character value values")
	subjWords   = set("subscription subscriptions account plan membership contract service renewal auto license licence")
	enDets      = set("my our the this that your a an their entire whole company team organization organisation org workspace business us")
	enFillers   = set("going gonna want wanna wanting plan planning intend intending need looking thinking considering to be of about " +
		"here is asking requesting for one " +
		"a an any really actually auto the with ahead proceed proceeding going be been getting seeing enough much more our this that it")
	enWe = set("we we'll we've we're we'd i i'll i'm i've i'd us our")

	// needCompetitor: a competitor named with a move, a trial or a price.
	needCompetitor = set("switch switching switched move moving moved migrate migrating migrated go going gone went sign signed signing " +
		"evaluate evaluating evaluated consider considering considered trial trialling trialing test testing cheaper better deal half price " +
		"pricing join joining leave leaving chose choose chosen pick picked replace replacing replacement look looking quote quoted " +
		"offered offering match")
	needRenewal   = set("renewal renew renews subscription contract plan account term")
	needPrice     = set("price prices pricing cost costs quote bill fee fees plan subscription renewal invoice")
	needPriceWide = set("price prices pricing cost costs quote bill fee fees plan subscription renewal invoice per pay paying paid month monthly user users seat seats year charge charged")
	needDispute   = set("bank card issuer charge charges payment transaction paypal amex visa mastercard")
	needMoveDown  = set("switch switching move moving moved change changing put drop dropping go going back downgrade downgrading bump transfer convert step")
	needMatchPric = set("deal price pricing cheaper less half better quote discount match")
	enReceived    = set("came arrived received landed got through showed appeared posted cleared")
	enApproved    = set("approved processed issued")
	enThanks      = set("thanks thank appreciate appreciated")
	// beforeThirdParty: a move made by someone else than the customer.
	beforeThirdParty = set("client clients customer customers partner partners shopper shoppers they their he she")
	enNotYet         = set("not hasn't haven't hasnt havent didn't didnt yet still never isn't wasn't")
	stopNeeded       = set("needed necessary required")
	// enClients: a move made by the customer's own clients, not by the
	// customer ("our customer switched to a competitor").
	enClients = set("client clients customer customers partner partners shopper shoppers")
	// enConjunctions end the words after a match that may be its object.
	enConjunctions = set("but because since so though although after when while if as until")
	enBut          = set("but however until")
)

// enPatterns are the English patterns, one intent each.
var enPatterns = []enPattern{
	// cancel
	{intent: IntentCancel, words: "cancel*", stop: stopCancel, before: beforeCancel},
	{intent: IntentCancel, words: "unsubscrib*", stop: stopUnsub, before: beforeCancel},
	{intent: IntentCancel, words: "discontinu*", stop: stopCancel},
	{intent: IntentCancel, words: "clos*|delet*|deactivat*|terminat*|remov* ... account|accounts", stop: stopAccount, before: beforeAccount},
	{intent: IntentCancel, words: "eras*|wip*|purg* ... account|accounts", stop: stopUser, before: beforeAccount},
	{intent: IntentCancel, words: "account|accounts ... clos*|delet*|deactivat*|terminat*|cancel*", stop: stopUser, before: beforeAccount},
	{intent: IntentCancel, words: "terminat*|end|ending|stop|stopping|cancel*|discontinu* subscription*|contract|contracts|membership|service|agreement|license|licence|relationship|partnership",
		stop: set("their his her"), before: set("customer customers client clients")},
	{intent: IntentCancel, words: "wrap*|clos*|shut*|wind*|end|ending|terminat*|stop|stopping|finish*|kill*|sunset*|discontinu*|deactivat* ... subscription*|account|accounts|contract|contracts|service|relationship|membership|workspace|license*|licence*|agreement|partnership",
		stop: set("test demo sandbox old duplicate extra second unused their his her user users employee"), before: set("customer customers client clients")},
	{intent: IntentCancel, words: "wrap*|clos*|shut*|end|ending|terminat*|stop|stopping|kill*|discontinu* ... plan", stop: set("their test demo"), before: set("customer customers client clients")},
	{intent: IntentCancel, words: "cut|cutting|drop|dropping|ditch*|scrap*|axe|axing|dump*|dumping ... subscription*|account|accounts|contract|contracts|service|membership|workspace",
		stop:   set("cost costs price prices spend spending seat seats license licenses from down back test demo sandbox old duplicate extra second unused their his her user users employee"),
		before: set("customer customers client clients")},
	{intent: IntentCancel, words: "charg*|bill*|invoic* ... again|anymore|further|future|next|renewal", wantNeg: true},
	{intent: IntentCancel, words: "no more|further charges|charging|invoices|billing|payments"},
	{intent: IntentCancel, words: "closing|close shop|down|doors"},
	{intent: IntentCancel, words: "out of business"},
	{intent: IntentCancel, words: "part|parting ways"},
	{intent: IntentCancel, words: "let|lets|letting ... run out"},
	{intent: IntentCancel, words: "we're|i'm out $"},
	{intent: IntentCancel, words: "we|i are|am out $"},
	{intent: IntentCancel, words: "done here"},
	{intent: IntentCancel, words: "extend*", wantNeg: true, need: enWe},
	{intent: IntentCancel, words: "opt* out", need: needRenewal},
	{intent: IntentCancel, words: "want|wants out $|of"},
	{intent: IntentCancel, words: "terminat* early|now|immediately"},
	{intent: IntentCancel, words: "stop|stopping|end|cease ... billing|charging|charges|payments|paying|using", stop: stopCancel},
	{intent: IntentCancel, words: "continu*", wantNeg: true, need: enWe},
	{intent: IntentCancel, words: "carry|carrying on", wantNeg: true, need: enWe},
	{intent: IntentCancel, words: "stop|stopping|end|ending|finish at|by the end of", stop: stopCancel,
		need: set("month term year quarter cycle period billing contract subscription"), needText: true},
	{intent: IntentCancel, words: "go|going|proceed|proceeding ahead|forward|with ... renewal|renewing|contract|subscription|plan", wantNeg: true},
	{intent: IntentCancel, words: "subscription|subscriptions|tool|tools|contract|account|service ... being|be|get|gets|getting dropped|cut|cancelled|canceled|axed|scrapped|discontinued|terminated"},
	{intent: IntentCancel, words: "stay|staying on|with", wantNeg: true, need: enWe, stop: set("page site screen call line hold top track")},
	{intent: IntentCancel, words: "can't|cannot|couldn't|hard|difficult|impossible ... justif* keep*|renew*|continu*|stay*"},
	{intent: IntentCancel, words: "no|any further|more use for"},
	{intent: IntentCancel, words: "call|calling|calls it quits"},
	{intent: IntentCancel, words: "renew*", wantNeg: true},
	{intent: IntentCancel, words: "turn|turning|switch|switching|shut off auto*"},
	{intent: IntentCancel, words: "disabl*|stop|stopping|cancel*|remov* auto*"},
	{intent: IntentCancel, words: "let|lets|letting ... laps*|expir*"},
	{intent: IntentCancel, words: "let|lets|letting it go", need: needRenewal},
	{intent: IntentCancel, words: "leav*", need: enWe, stop: set("for comment comments note notes feedback review reviews message messages early office field blank vacation holiday company job team")},
	{intent: IntentCancel, words: "we|i are|am leaving"},
	{intent: IntentCancel, words: "mov* on"},
	{intent: IntentCancel, words: "wind|winding down"},
	{intent: IntentCancel, words: "wrap*|wind*|finish*|end|ending ... with you|yours"},
	{intent: IntentCancel, words: "phas*|phasing out"},
	{intent: IntentCancel, words: "offboard*", stop: stopAccount},
	{intent: IntentCancel, words: "that's|thats it for us"},
	{intent: IntentCancel, words: "we're|i'm done $"},
	{intent: IntentCancel, words: "we|i are|am done $"},
	{intent: IntentCancel, words: "we're|i'm gone $"},
	{intent: IntentCancel, words: "we|i are|am gone $"},
	{intent: IntentCancel, words: "done with you|your|yours"},
	{intent: IntentCancel, words: "shut it off|down"},
	{intent: IntentCancel, words: "shut|shutting|shuts ... company|business|account|subscription|doors"},
	{intent: IntentCancel, words: "pull* plug"},
	{intent: IntentCancel, words: "cut ties"},
	{intent: IntentCancel, words: "our last|final month|billing|cycle|renewal|payment|term|year|quarter"},
	{intent: IntentCancel, words: "no longer need*|want*|use|using|require* ... account|subscription|service|tool|platform|product|app|software|it|this|you"},
	{intent: IntentCancel, words: "need*|needing ... service|subscription|account|platform|tool|product|app|software|anymore|you", wantNeg: true},
	{intent: IntentCancel, words: "back ... spreadsheet*|excel|sheets|paper|pen|manual|manually"},
	{intent: IntentCancel, words: "back ... by hand"},
	{intent: IntentCancel, words: "non|nonrenew* renew*"},
	{intent: IntentCancel, words: "sunset*|wind*|phas* ... use|product|platform|tool|service|subscription|account|you"},
	{intent: IntentCancel, words: "make|made the cut", wantNeg: true},

	// competitor
	{intent: IntentCompetitor, words: "competitor*", need: needCompetitor},
	{intent: IntentCompetitor, words: "alternative|alternatives", stop: stopAlt},
	{intent: IntentCompetitor, words: "switch*|mov*|migrat*|transition* to|onto", stop: stopSwitch, before: beforeThirdParty, notEnd: true, nameRescue: true},
	{intent: IntentCompetitor, words: "switch*|mov*|migrat*|transition* over", stop: stopSwitch, before: beforeThirdParty},
	{intent: IntentCompetitor, words: "migrat*|mov* away"},
	{intent: IntentCompetitor, words: "switch*|mov*|migrat*|transition* ... to|onto @", stop: stopSwitch, before: beforeThirdParty, gap: gapMove},
	{intent: IntentCompetitor, words: "talks|talking|conversations|discussions|negotiat* with @|another|other"},
	{intent: IntentCompetitor, words: "bake off"},
	{intent: IntentCompetitor, words: "pilot|piloting|trial|trialling|trialing|evaluate|evaluating it|them", needName: true},
	{intent: IntentCompetitor, words: "compar* ... with|to|against @"},
	{intent: IntentCompetitor, words: "leav* for @|another|other|a", stop: set("role job position company team department opportunity")},
	{intent: IntentCompetitor, words: "standardis*|standardiz* on|onto"},
	{intent: IntentCompetitor, words: "consolidat* onto|into|on"},
	{intent: IntentCompetitor, words: "switch* $", before: beforeThirdParty},
	{intent: IntentCompetitor, words: "switch* anywhere|elsewhere"},
	{intent: IntentCompetitor, words: "switch* provider*|vendor*|tools|platform*|solution*|services|systems|crm*|helpdesk*"},
	{intent: IntentCompetitor, words: "another|other|different provider*|vendor*|tool|tools|platform*|solution*|company|companies|service|services|product|products|software|app|crm|helpdesk|system|systems|supplier*", stop: stopOther, before: beforeOther},
	{intent: IntentCompetitor, words: "elsewhere", need: enWe},
	{intent: IntentCompetitor, words: "better option|options|offer|deal|tool|product|solution|fit|alternative"},
	{intent: IntentCompetitor, words: "evaluat*|trial*|trying|pilot*|test|testing ... @", stop: stopTrial},
	{intent: IntentCompetitor, words: "evaluat*|consider*|look*|explor*|review*|assess*|research* ... other|alternative*|options|vendors|competitors|replacement*|solutions|providers"},
	{intent: IntentCompetitor, words: "replacement|replacements", stop: stopReplace},
	{intent: IntentCompetitor, words: "replac* you|yours"},
	{intent: IntentCompetitor, words: "replac* ... tool|platform|product|system|service|software|app|crm|helpdesk", stop: stopReplace},
	{intent: IntentCompetitor, words: "poc|pocs|concept|pilot ... with @|another|other"},
	{intent: IntentCompetitor, words: "sign|signed|signing|going|gone|went|go|chose|choosing|picked|picking|selected|decided with|for|on @", before: beforeThirdParty},
	{intent: IntentCompetitor, words: "consolidat*|rationali*|reduc* ... vendor*|tools|providers|platforms|stack|suppliers"},
	{intent: IntentCompetitor, words: "@ ... quot*|offer*|charg*", need: needMatchPric},
	{intent: IntentCompetitor, words: "@ ... cheaper|less|half|deal"},
	{intent: IntentCompetitor, words: "rfp|rfps|tender"},
	{intent: IntentCompetitor, words: "found ... better|cheaper"},
	{intent: IntentCompetitor, words: "shop*|look* around"},
	{intent: IntentCompetitor, words: "compar* ... vendors|options|quotes|offers|alternatives|two|other|providers|tools"},

	// downgrade
	{intent: IntentDowngrade, words: "downgrad*", stop: set("user users role roles permission permissions editor editors viewer viewers admin admins member members access him her them agent agents light " +
		"read readonly guest guests collaborator collaborators"),
		before: set("user users agent agents member members"), notName: true},
	{intent: IntentDowngrade, words: "something|anything smaller|cheaper|lighter|lower|simpler|leaner", need: set("move moving switch switching change go plan tier option downgrade"),
		before: set("look looking find found elsewhere")},
	{intent: IntentDowngrade, words: "take|taking|took ... off|out ... plan|subscription|bill|invoice|contract|renewal", stop: set("user users him her member members person people card")},
	{intent: IntentDowngrade, words: "fewer|less seats|seat|licenses|license|licences|licence|logins|agents"},
	{intent: IntentDowngrade, words: "reduc*|lower*|cut|cutting|drop*|remov*|decreas*|trim*|scal* ... seats|seat|licenses|license|licences|licence|logins|add|addon|addons"},
	{intent: IntentDowngrade, words: "remov*|drop* ... from plan|subscription", stop: set("user users member members person people card")},
	{intent: IntentDowngrade, words: "cheaper|lower|smaller|basic|starter|lite|free|cheapest|lowest|essentials|entry ... plan|tier|edition|version|package|level|subscription", need: needMoveDown},
	{intent: IntentDowngrade, words: "drop*|bump* ... plan|tier|level|edition"},
	{intent: IntentDowngrade, words: "drop*|step*|bump*|move|moving|scal*|bring|knock* down"},
	{intent: IntentDowngrade, words: "only need*|want|use|using ... seats|seat|licenses|license|licences|licence|logins|users", stop: set("more extra additional add another")},
	{intent: IntentDowngrade, words: "scal*|cut|cutting ... back|down", need: set("seat seats license licenses licences plan tier subscription users")},
	{intent: IntentDowngrade, words: "reduc*|shrink* plan|tier|subscription|package"},
	{intent: IntentDowngrade, words: "mov*|switch*|put|drop* ... cheaper|cheapest|lower|smaller|less", stop: set("vendor vendors provider providers tool tools alternative alternatives option options")},
	{intent: IntentDowngrade, words: "back to|on|onto ... starter|basic|lite|free|essentials|cheaper|lower|smaller|standard|previous|old|original|entry", stop: set("ui interface design layout editor dashboard view page screen version app")},
	{intent: IntentDowngrade, words: "back|revert* ... plan|tier|version|package|edition ... had|before|previous|old|original|earlier"},
	{intent: IntentDowngrade, words: "revert*|undo|reverse ... upgrade"},
	{intent: IntentDowngrade, words: "previous|old|original|earlier|former plan|tier|package", need: set("back revert return go going")},

	// price
	{intent: IntentPrice, words: "expensive", before: set("less")},
	{intent: IntentPrice, words: "pricey|overpriced|costly|unaffordable|exorbitant|ripoff"},
	{intent: IntentPrice, words: "rip off"},
	{intent: IntentPrice, words: "steep", stop: set("learning curve")},
	{intent: IntentPrice, words: "can't|cannot|couldn't|unable|longer|hard|struggling|struggle ... afford*"},
	{intent: IntentPrice, words: "discount*", stop: set("annual annually yearly year upfront prepay prepaid multi volume bulk seats seat apply applies still valid"),
		need: set("expensive afford budget otherwise unless can't cannot too high steep pricey increase increased")},
	{intent: IntentPrice, words: "cheaper", stop: set("plan plans tier tiers edition version package expected thought anticipated")},
	{intent: IntentPrice, words: "cost|costs|charg*|pay|paying|spend*|bill* too much"},
	{intent: IntentPrice, words: "too|so much money"},
	{intent: IntentPrice, words: "price|prices|pricing ... chang*", stop: set("email emails notice notices notification announcement letter page faq")},
	{intent: IntentPrice, words: "price|prices|pricing|cost|costs|fee|fees|bill|invoice|subscription|renewal ... increas*|hike*|rise|rising|rais*|jump*|doubl*|tripl*|higher|spik*|skyrocket*",
		stop: set("email emails notice notices notification announcement letter page faq")},
	{intent: IntentPrice, words: "price|prices|pricing|cost|costs|fee|fees|bill|invoice|quote ... went|going|gone|goes up"},
	{intent: IntentPrice, words: "rais*|increas*|hik*|doubl* price*|pricing|fee|fees|cost|costs|rates"},
	{intent: IntentPrice, words: "quote|renewal|price|pricing|bill ... double|twice|triple|2x|3x"},
	{intent: IntentPrice, words: "price*|pricing|cost|costs|fee|fees|quote|bill|charges|invoice ... high|higher|steep|outrageous|ridiculous|insane|crazy|absurd|excessive|unreasonable|hefty|above"},
	{intent: IntentPrice, words: "pric* ... for enterprise*|big|large*|bigger|corporations|corporates"},
	{intent: IntentPrice, words: "extra|additional|more|increas*|jump*|up|hike* ... %", need: needPrice},
	{intent: IntentPrice, words: "% increas*|hike|jump|more|higher|extra", need: needPrice},
	{intent: IntentPrice, words: "off guard", need: needPrice},
	{intent: IntentPrice, words: "for less|half|cheaper"},
	{intent: IntentPrice, words: "budget* ... slashed|cut|cuts|reduced|shrunk|frozen|gone"},
	{intent: IntentPrice, words: "out ... budget|budgets|price range"},
	{intent: IntentPrice, words: "can't|cannot|unable cover"},
	{intent: IntentPrice, words: "price*|pricing|cost|costs|rate|quote ... down|lower"},
	{intent: IntentPrice, words: "lower*|reduc*|bring*|cut* ... price|prices|pricing|cost|rate|quote"},
	{intent: IntentPrice, words: "budget cut*|constraint*|reasons|freeze|cuts"},
	{intent: IntentPrice, words: "over|exceed*|beyond|outside budget|budgets"},
	{intent: IntentPrice, words: "no budget"},
	{intent: IntentPrice, words: "money|budget|budgets|cash is|are|'s tight"},
	{intent: IntentPrice, words: "tight budget*"},
	{intent: IntentPrice, words: "pay|paying|spend|spending this|that|so much"},
	{intent: IntentPrice, words: "worth", wantNeg: true},
	{intent: IntentPrice, words: "value ... isn't|wasn't|not|gone|lacking|missing"},
	{intent: IntentPrice, words: "value", wantNeg: true},
	{intent: IntentPrice, words: "hard|can't|cannot|difficult|impossible ... justif*"},
	{intent: IntentPrice, words: "hard|can't|cannot|difficult|impossible ... defend*", need: needPrice, needText: true},
	{intent: IntentPrice, words: "half|fraction what|of|the ... pay|paying|price|pricing|cost|charge*"},
	{intent: IntentPrice, words: "pay|paying|spend|spending|spent enterprise|premium|top|good|serious|big|a|such ... money|prices|price|rates|dollar|dollars|lot|fortune|premium"},
	{intent: IntentPrice, words: "lot|much for what|how", need: needPriceWide},
	{intent: IntentPrice, words: "big|huge|massive|steep|hefty|sharp|large jump|increase|hike|rise|bump", need: needPrice, needText: true},
	{intent: IntentPrice, words: "price|pricing|cost|costs|spend ... make|makes|made sense", need: set("not anymore longer hardly doesn't don't no")},
	{intent: IntentPrice, words: "% below|under|less|cheaper|lower"},
	{intent: IntentPrice, words: "too much|steep", need: needPriceWide},
	{intent: IntentPrice, words: "twice|double|triple the usual|normal|regular|previous|last"},
	{intent: IntentPrice, words: "more|higher|over ... than ... budget|budgeted|expected|planned|anticipated"},
	{intent: IntentPrice, words: "price|pricing|cost|costs|bill|invoice|quote ... more|higher than"},
	{intent: IntentPrice, words: "at|for this|that|these|those price|prices|rate|rates"},
	{intent: IntentPrice, words: "match* ... price*|offer*|quote*|deal|rate"},
	{intent: IntentPrice, words: "better deal|price|rate|offer|pricing"},
	{intent: IntentPrice, words: "half price|cost"},
	{intent: IntentPrice, words: "out of league|range|reach", need: needPrice},
	{intent: IntentPrice, words: "charged|charging|charge more|extra"},
	{intent: IntentPrice, words: "can't|cannot|won't keep paying|pay"},
	{intent: IntentPrice, words: "paying|pay for ... barely|never|don't|hardly|rarely|unused"},

	// refund
	{intent: IntentRefund, words: "refund*", received: true,
		stop: set("customer customers shopper shoppers client clients buyer buyers order orders policy policies process button option rules workflow feature needed necessary required " +
			"show shows showing appear appears export exports report reports reporting"),
		before: set("issue issuing process processing give giving shopper shoppers customer customers client clients buyer buyers guest guests")},
	{intent: IntentRefund, words: "money back|returned|refunded", received: true, stop: stopNeeded},
	{intent: IntentRefund, words: "pay* us back"},
	{intent: IntentRefund, words: "want|give|get our|my money"},
	{intent: IntentRefund, words: "chargeback*"},
	{intent: IntentRefund, words: "charge back"},
	{intent: IntentRefund, words: "reimburs*", received: true},
	{intent: IntentRefund, words: "disput*", need: needDispute},
	{intent: IntentRefund, words: "credit|credited", received: true, stop: set("card cards limit score check line union")},
	{intent: IntentRefund, words: "service credits"},
	{intent: IntentRefund, words: "return* ... payment*|charge*|money|fee|fees|amount"},
	{intent: IntentRefund, words: "revers* ... charge*|payment*|transaction*"},
	{intent: IntentRefund, words: "revers*", need: set("charge charges charged payment payments transaction billed twice double"), needText: true},
	{intent: IntentRefund, words: "compensat*"},
	{intent: IntentRefund, words: "unused ... back"},
	{intent: IntentRefund, words: "get|getting|have|want|send|sending|give|return|put|pay ... back", need: set("difference money refund paid charge charged payment fee fees months amount bought purchase overpaid billed invoice invoiced")},
}

// enNames are capitalised words that are not names of products: they
// often start a sentence, or name a plan, a month or a place.
var enNames = set("i we you they he she it our your my their the a an this that these those please can could would will should " +
	"is are was were do does did how what why when where who which if hi hello hey thanks thank dear also just so and but or yes " +
	"no not ok okay honestly kindly unfortunately since after before as at in on for to from with all any every some there here " +
	"then now today tomorrow yesterday still again sorry note re fw fwd asap api sso csv pdf crm ui ux faq sla gdpr eu us uk usd " +
	"eur q1 q2 q3 q4 ai it's we're i'm we'll we've let's don't can't " +
	"january february march april may june july august september october november december " +
	"monday tuesday wednesday thursday friday saturday sunday " +
	"enterprise business pro premium basic starter lite free team plus standard essentials growth scale " +
	"our management finance legal procurement support sales cfo ceo cto coo vp hr it")

// enToken is one lower-case word, its clause and sentence, and whether it
// may be a name.
type enToken struct {
	w        string
	clause   int32
	sentence int32
	name     bool
}

func enTokenize(text string) []enToken {
	lower := strings.ToLower(text)
	if strings.ContainsRune(lower, '’') {
		lower = strings.ReplaceAll(lower, "’", "'")
		text = strings.ReplaceAll(text, "’", "'")
	}
	isWord := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	toks := make([]enToken, 0, len(lower)/5+1)
	var clause, sentence int32
	start := -1
	for i := 0; i <= len(lower); i++ {
		var c byte = ' '
		if i < len(lower) {
			c = lower[i]
		}
		word := isWord(c) || (c == '\'' || c == '%') && start >= 0 ||
			(c == '.' || c == ',') && start >= 0 && i+1 < len(lower) && isWord(lower[i+1])
		if word {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			w := strings.Trim(lower[start:i], "'")
			cap := len(text) == len(lower) && text[start] >= 'A' && text[start] <= 'Z'
			// A capitalised word after "your" names the vendor's own
			// product or feature, not a competitor ("your new AI Assistant").
			yours := len(toks) > 0 && toks[len(toks)-1].w == "your" || len(toks) > 1 && toks[len(toks)-2].w == "your"
			toks = append(toks, enToken{w: w, clause: clause, sentence: sentence, name: cap && len(w) > 1 && !enNames[w] && !yours})
			start = -1
		}
		switch c {
		case '.', '!', '?', '\n':
			clause++
			sentence++
		case ',', ';', ':', '(', ')':
			clause++
		}
	}
	return toks
}

// wordMatcher is a compiled matcher (see enPattern).
type wordMatcher struct {
	exact, prefix []string
	gap, end      bool // "...", "$"
	name          bool // "@"
	percent       bool // "%": a percentage ("20%")
}

func compileMatcher(m string) wordMatcher {
	switch m {
	case "...":
		return wordMatcher{gap: true}
	case "$":
		return wordMatcher{end: true}
	case "@":
		return wordMatcher{name: true}
	}
	var wm wordMatcher
	for alt := range strings.SplitSeq(m, "|") {
		if alt == "@" {
			wm.name = true
		} else if alt == "%" {
			wm.percent = true
		} else if p, ok := strings.CutSuffix(alt, "*"); ok {
			wm.prefix = append(wm.prefix, p)
		} else {
			wm.exact = append(wm.exact, alt)
		}
	}
	return wm
}

func (wm *wordMatcher) match(t enToken) bool {
	if wm.name && t.name || wm.percent && strings.HasSuffix(t.w, "%") {
		return true
	}
	for _, e := range wm.exact {
		if e == t.w {
			return true
		}
	}
	for _, p := range wm.prefix {
		if strings.HasPrefix(t.w, p) {
			return true
		}
	}
	return false
}

// enCompiled holds the compiled matchers of enPatterns, the index of their
// first words, and the patterns that start with a name.
type enCompiledPatterns struct {
	ms     [][]wordMatcher
	exact  map[string][]int    // first word -> pattern indexes
	prefix map[byte][]enPrefix // first letter -> first-word prefixes
	names  []int
	pct    []int // patterns that start with a percentage
}

type enPrefix struct {
	p   string
	pat int
}

var enCompiled = sync.OnceValue(func() *enCompiledPatterns {
	c := &enCompiledPatterns{ms: make([][]wordMatcher, len(enPatterns)), exact: map[string][]int{}, prefix: map[byte][]enPrefix{}}
	for i, pat := range enPatterns {
		for w := range strings.FieldsSeq(pat.words) {
			c.ms[i] = append(c.ms[i], compileMatcher(w))
		}
		first := c.ms[i][0]
		if first.name {
			c.names = append(c.names, i)
		}
		if first.percent {
			c.pct = append(c.pct, i)
		}
		for _, e := range first.exact {
			c.exact[e] = append(c.exact[e], i)
		}
		for _, p := range first.prefix {
			c.prefix[p[0]] = append(c.prefix[p[0]], enPrefix{p: p, pat: i})
		}
	}
	return c
})

// matchFrom returns the index after the match of ms[mi:] starting at
// toks[j], within clause, or -1.
func matchFrom(ms []wordMatcher, mi int, toks []enToken, j int, clause int32) int {
	if mi == len(ms) {
		return j
	}
	in := func(k int) bool { return k < len(toks) && toks[k].clause == clause }
	m := &ms[mi]
	switch {
	case m.end:
		if in(j) {
			return -1
		}
		return matchFrom(ms, mi+1, toks, j, clause)
	case m.gap:
		for k := 0; k <= 5 && (k == 0 || in(j+k-1)); k++ {
			if end := matchFrom(ms, mi+1, toks, j+k, clause); end >= 0 {
				return end
			}
		}
		return -1
	}
	for skip := 0; skip <= 2 && in(j); skip++ {
		if m.match(toks[j]) {
			if end := matchFrom(ms, mi+1, toks, j+1, clause); end >= 0 {
				return end
			}
		}
		if mi == 0 || !enDets[toks[j].w] {
			break
		}
		j++
	}
	return -1
}

// enNegated reports whether the phrase starting at toks[i] is negated by a
// volitional negation before it in its clause, with only filler words
// ("going to", "want", "a") in between, or is counterfactual ("almost",
// "were about to").
func enNegated(toks []enToken, i int) bool {
	c := toks[i].clause
	// "nobody" or "no one" as the subject governs the clause ("nobody on
	// our side wants to downgrade").
	for k := i - 1; k >= 0 && k >= i-8 && toks[k].clause == c; k-- {
		if toks[k].w == "nobody" || toks[k].w == "noone" || toks[k].w == "one" && k > 0 && toks[k-1].w == "no" {
			return true
		}
	}
	for k, n := i-1, 0; k >= 0 && toks[k].clause == c && n <= 5; k, n = k-1, n+1 {
		switch w := toks[k].w; w {
		case "not":
			return k == 0 || (toks[k-1].w != "can" && toks[k-1].w != "could")
		case "never", "don't", "dont", "won't", "wont", "didn't", "didnt", "isn't", "isnt", "aren't", "wasn't", "doesn't",
			"wouldn't", "shouldn't", "ever":
			return true
		case "no":
			if k+1 < len(toks) {
				switch toks[k+1].w {
				case "need", "intention", "plan", "plans", "longer", "reason", "desire", "interest", "one":
					return true
				}
			}
			return false
		default:
			if !enFillers[w] && w != "intention" && w != "plans" && w != "longer" && w != "reason" {
				return false
			}
		}
	}
	return false
}

// enNegOrIf are the words that can negate a phrase or make it
// counterfactual (enNegated, enCounterfactual).
var enNegOrIf = set("not never don't dont won't wont didn't didnt isn't isnt aren't wasn't doesn't wouldn't shouldn't ever no nobody noone " +
	"almost nearly instead rather idea thought about going thinking considering planning")

// enStaying are phrases that say the customer is not leaving or chose
// this product ("we're not planning to leave, but ...", "we compared a few
// helpdesks before picking you"): a ticket holding one has no cancel or
// competitor intent.
var enStaying = phrases(`
not_leaving not_planning_to_leave no_plans_to_leave not_going_anywhere we'd_never_leave we_would_never_leave we're_staying we_are_staying
picking_you picked_you chose_you chose_your choosing_you went_with_you
`)

// detectEnglish returns the English intents of text and whether it says
// that the customer stays (an enStaying phrase, or a leaving phrase that is
// negated or counterfactual: "we are not cancelling", "we dropped the idea
// of looking elsewhere"); see detectIntent for what staying does.
func detectEnglish(text string) (uint8, bool) {
	found, staying := detectEnglishTokens(enTokenize(text))
	return found, staying || found&leavingBits != 0 && containsAny(strings.ToLower(text), enStaying)
}

func detectEnglishTokens(toks []enToken) (uint8, bool) {
	c := enCompiled()
	var found uint8
	staying := false
	// Leaving patterns are tried again after a match only to find a
	// negated one (staying), which needs a negation or counterfactual word.
	negWords := slices.ContainsFunc(toks, func(t enToken) bool { return enNegOrIf[t.w] })
	var lower string // the words of the text, built when first needed
	joined := func() string {
		if lower == "" {
			var b strings.Builder
			for _, t := range toks {
				b.WriteString(t.w)
				b.WriteByte(' ')
			}
			lower = b.String()
		}
		return lower
	}
	try := func(pi, i int) {
		pat := &enPatterns[pi]
		bit := intentBit(pat.intent)
		leave := bit&leavingBits != 0 && !pat.wantNeg
		if found&bit != 0 && (staying || !leave || !negWords) {
			return
		}
		ms := c.ms[pi]
		end := matchFrom(ms, 0, toks, i, toks[i].clause)
		if end < 0 {
			return
		}
		if pat.notEnd && (end == len(toks) || toks[end].clause != toks[i].clause) {
			return
		}
		if pat.notName && end < len(toks) && toks[end].name && toks[end].clause == toks[i].clause {
			return
		}
		if pat.gap != nil && !gapWordsIn(toks[i+1:end-(len(ms)-2)], pat.gap) {
			return
		}
		if pat.stop != nil && !(pat.nameRescue && end < len(toks) && toks[end].name) && stopped(toks, i, end, pat.stop, pat.intent == IntentCancel) {
			return
		}
		if pat.needName && !slices.ContainsFunc(toks, func(t enToken) bool { return t.name }) {
			return
		}
		if pat.before != nil && wordBefore(toks, i, pat.before, pat.intent == IntentCancel) {
			return
		}
		if (pat.intent == IntentCompetitor || pat.intent == IntentRefund) && wordBefore(toks, i, enClients, false) {
			return // "our customer switched to a competitor", "how can our customers get their money back"
		}
		if pat.intent == IntentCompetitor && enMoveFrom(toks, i, end) {
			return // "we moved over from Freshdesk last spring": a move to this product
		}
		if pat.intent == IntentCancel && !enCancelObject(toks, i, end, joined) {
			return
		}
		negated := enNegated(toks, i)
		if enCounterfactual(toks, i) {
			if !pat.wantNeg {
				staying = staying || leave
				return
			}
			negated = true // "we were going to renew, but ..."
		}
		if pat.need != nil && (pat.needText && !inText(toks, pat.need) || !pat.needText && !inSentence(toks, i, pat.need)) {
			return
		}
		if pat.received && !inText(toks, enNotYet) && (inSentence(toks, i, enReceived) || inText(toks, enApproved) && inText(toks, enThanks)) {
			return
		}
		if negated != pat.wantNeg {
			staying = staying || leave && negated
			return
		}
		found |= bit
	}
	found |= enTierDown(toks)
	for i := range toks {
		for _, pi := range c.exact[toks[i].w] {
			try(pi, i)
		}
		if toks[i].w == "" {
			continue
		}
		for _, p := range c.prefix[toks[i].w[0]] {
			if strings.HasPrefix(toks[i].w, p.p) {
				try(p.pat, i)
			}
		}
		if toks[i].name {
			for _, pi := range c.names {
				try(pi, i)
			}
		}
		if strings.HasSuffix(toks[i].w, "%") {
			for _, pi := range c.pct {
				try(pi, i)
			}
		}
	}
	return found, staying
}

// enMoveFrom reports whether the move toks[i:end] is made from another
// product with no target in its clause ("we moved over from Freshdesk last
// spring"): a move to this product.
func enMoveFrom(toks []enToken, i, end int) bool {
	if end >= len(toks) || toks[end].w != "from" || toks[end].clause != toks[i].clause {
		return false
	}
	for k := end + 1; k < len(toks) && toks[k].clause == toks[i].clause; k++ {
		if toks[k].w == "to" || toks[k].w == "onto" {
			return false
		}
	}
	return true
}

// enThirdParties are parties a customer has contracts with besides this
// product ("we terminated our contract with the courier").
var enThirdParties = set("courier couriers carrier carriers supplier suppliers landlord bank agency agencies reseller resellers distributor " +
	"distributors contractor contractors freelancer freelancers payroll insurer logistics shipping client clients customer customers partner partners them")

// enPronouns stand for an object named before them.
var enPronouns = set("it this that them")

// enCancelObject reports whether the object of the cancel phrase
// toks[i:end] can be the customer's subscription, account or contract with
// this product. It cannot when
//
//   - a trial is ended to buy the paid product ("cancel the trial and move
//     us to the paid Team plan"); text gives the words of the ticket;
//   - an account is closed in a ticket saying that a person left the
//     company, and its clause names no subscription and no "our" ("delete
//     Mark's account, he left the company");
//   - it is a contract "with" another party ("our contract with the
//     courier");
//   - the phrase's object is a pronoun, and its sentence named, before it,
//     an innocent object (stopCancel) and no subscription word ("cancel the
//     onboarding call, we don't need it anymore").
func enCancelObject(toks []enToken, i, end int, text func() string) bool {
	clause := toks[i].clause
	account, ours := false, false
	for k := i; k < len(toks) && k < end+5 && toks[k].clause == clause; k++ {
		switch w := toks[k].w; {
		case (w == "trial" || w == "trials") && k < end+3:
			if trialToPaid(text()) {
				return false
			}
		case w == "account" || w == "accounts":
			account = true
		case w == "our" || w == "my" || subjWords[w] && w != "account" && w != "accounts":
			ours = true
		case w == "with" && k >= end-1:
			for j := k + 1; j < len(toks) && j <= k+3 && toks[j].clause == clause; j++ {
				if enThirdParties[toks[j].w] {
					return false
				}
				if !enDets[toks[j].w] {
					break
				}
			}
		}
	}
	for k := i - 1; k >= 0 && toks[k].clause == clause && !ours; k-- {
		ours = toks[k].w == "our" || toks[k].w == "my" || subjWords[toks[k].w] && toks[k].w != "account"
	}
	if account && !ours && departed(text()) {
		return false
	}
	pronoun, subject := false, false
	for k := i; k < end; k++ {
		pronoun = pronoun || enPronouns[toks[k].w]
		subject = subject || subjWords[toks[k].w]
	}
	if !pronoun || subject {
		return true
	}
	innocent := false
	for k := i - 1; k >= 0 && toks[k].sentence == toks[i].sentence; k-- {
		if subjWords[toks[k].w] {
			return true
		}
		innocent = innocent || stopCancel[toks[k].w]
	}
	return !innocent
}

// stopped reports whether one of the words of the match toks[start+1:end]
// or of the five words after it (in the clause of toks[end-1]) is a stop
// word and, when rescue is set (a cancel pattern), none of the words after
// it is a subscription word and a conjunction ends the words looked at
// ("we cancelled in January but invoices keep coming" is not about
// invoices); for a cancel pattern, a client within seven words after the
// match always stops it (the client's subscription).
func stopped(toks []enToken, start, end int, stop map[string]bool, rescue bool) bool {
	clause := toks[end-1].clause
	if rescue {
		// "cancel a subscription that one of our customers bought"
		for k := start + 1; k < len(toks) && k < end+8 && toks[k].clause == clause; k++ {
			if enClients[toks[k].w] {
				return true
			}
		}
	}
	hit := false
	for k := start + 1; k < len(toks) && k < end+5 && toks[k].clause == clause; k++ {
		if rescue && k >= end && enConjunctions[toks[k].w] {
			break
		}
		if rescue && k >= end && subjWords[toks[k].w] {
			return false
		}
		if stop[toks[k].w] {
			hit = true
		}
	}
	return hit
}

// wordBefore reports whether one of the six words before toks[i] in its
// clause is in words and, when rescue is set, none of them is a
// subscription word ("the old one needs to be cancelled" is innocent, "our
// old plan needs to be cancelled" is not).
func wordBefore(toks []enToken, i int, words map[string]bool, rescue bool) bool {
	hit := false
	for k := i - 1; k >= 0 && k >= i-6 && toks[k].clause == toks[i].clause; k-- {
		if rescue && subjWords[toks[k].w] {
			return false
		}
		if words[toks[k].w] {
			hit = true
		}
	}
	return hit
}

// enCounterfactual reports whether the clause of toks[i] says, before it,
// that the phrase almost happened ("we were about to look elsewhere",
// "we nearly switched", "I was going to ask for a refund").
func enCounterfactual(toks []enToken, i int) bool {
	for k := i - 1; k >= 0 && k >= i-8 && toks[k].clause == toks[i].clause; k-- {
		switch toks[k].w {
		case "almost", "nearly", "instead", "rather":
			return true // "instead of looking elsewhere", "rather than cancel"
		case "idea", "thought":
			// "we dropped the idea of looking elsewhere"
			if k > 0 && strings.HasPrefix(toks[k-1].w, "drop") || k > 1 && slices.Contains([]string{"dropped", "gave", "abandoned", "scrapped", "shelved"}, toks[k-2].w) {
				return true
			}
		case "about", "going":
			if k > 0 && (toks[k-1].w == "were" || toks[k-1].w == "was") {
				return true
			}
		case "thinking", "considering", "planning":
			// "we were thinking about leaving last year, but ..."
			if k > 0 && (toks[k-1].w == "were" || toks[k-1].w == "was") && inSentence(toks, i, enBut) {
				return true
			}
		}
	}
	return false
}

// gapWordsIn reports whether every word of toks is in words.
func gapWordsIn(toks []enToken, words map[string]bool) bool {
	for _, t := range toks {
		if !words[t.w] {
			return false
		}
	}
	return true
}

// enMoveVerb reports whether w asks to be moved to another plan.
func enMoveVerb(w string) bool {
	for _, p := range []string{"switch", "mov", "put", "chang", "drop", "bump", "downgrad"} {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// enTierAfterTo returns the rank and index of the plan named after "to",
// "on" or "onto" within the four words after the move verb toks[i] ("switch
// us to Standard", "move us onto the Starter plan"), or -1.
func enTierAfterTo(toks []enToken, i int) (int, int) {
	for k := i + 1; k < len(toks) && k <= i+4 && toks[k].clause == toks[i].clause; k++ {
		if w := toks[k].w; w != "to" && w != "on" && w != "onto" {
			continue
		}
		for j := k + 1; j < len(toks) && j <= k+3 && toks[j].clause == toks[i].clause; j++ {
			if r, ok := enTiers[toks[j].w]; ok {
				return r, j
			}
		}
		break
	}
	return -1, -1
}

// enTiers ranks the names of plans, cheapest first.
var enTiers = map[string]int{
	"free": 0, "lite": 1, "starter": 1, "basic": 1, "essentials": 1, "entry": 1, "standard": 2,
	"pro": 3, "professional": 3, "plus": 3, "growth": 3, "business": 4, "premium": 4, "advanced": 4,
	"enterprise": 5, "ultimate": 5,
}

// enTierDown reports IntentDowngrade when a clause moves "from" one plan
// "to" a cheaper one ("switch us from Business to Pro at renewal"), the
// plans named within three words of each, or asks to be moved "to" a plan
// cheaper than another one the text names ("The Premium tier is too pricey
// for what we use, switch us to Standard"), or to one of the cheapest
// plans when it names no other ("put us on Starter").
func enTierDown(toks []enToken) uint8 {
	for i, t := range toks {
		if enMoveVerb(t.w) {
			if lo, k := enTierAfterTo(toks, i); lo >= 0 {
				hi := -1
				for j, u := range toks {
					if r, ok := enTiers[u.w]; ok && j != k {
						hi = max(hi, r)
					}
				}
				if hi > lo || hi < 0 && lo <= 1 {
					return intentBit(IntentDowngrade)
				}
			}
		}
		if t.w != "from" {
			continue
		}
		hi, to := -1, -1
		for k := i + 1; k < len(toks) && k <= i+4 && toks[k].clause == t.clause; k++ {
			if r, ok := enTiers[toks[k].w]; ok && hi < 0 {
				hi = r
			} else if toks[k].w == "to" && hi >= 0 {
				to = k
				break
			}
		}
		if to < 0 {
			continue
		}
		for k := to + 1; k < len(toks) && k <= to+3 && toks[k].clause == t.clause; k++ {
			if r, ok := enTiers[toks[k].w]; ok {
				if r < hi {
					return intentBit(IntentDowngrade)
				}
				break
			}
		}
	}
	return 0
}

// inText reports whether a word of toks is in words.
func inText(toks []enToken, words map[string]bool) bool {
	for _, t := range toks {
		if words[t.w] {
			return true
		}
	}
	return false
}

// inSentence reports whether a word of the sentence of toks[i] is in words.
func inSentence(toks []enToken, i int, words map[string]bool) bool {
	s := toks[i].sentence
	for k := i; k >= 0 && toks[k].sentence == s; k-- {
		if words[toks[k].w] {
			return true
		}
	}
	for k := i + 1; k < len(toks) && toks[k].sentence == s; k++ {
		if words[toks[k].w] {
			return true
		}
	}
	return false
}

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

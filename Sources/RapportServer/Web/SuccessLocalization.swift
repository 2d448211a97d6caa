/// The Customer Success pages' words. Keys with a dot name a value (a band, a component, a risk),
/// so both languages need a label for them.
enum SuccessWords {
    static let english: [String: String] = [
        "health.red": "red", "health.yellow": "yellow", "health.green": "green",
        "health.usage": "Usage", "health.adoption": "Adoption", "health.sentiment": "Sentiment (NPS)", "health.support": "Open cases",
        "health.goals": "Goal progress", "health.relationship": "Relationship",
        "measure.usage": "active users in the last 4 weeks ÷ licensed seats", "measure.adoption": "features used in 28 days ÷ features the workspace used",
        "measure.sentiment": "NPS of the account's answers in 12 months (from 3 answers)", "measure.support": "open feedback cases",
        "measure.goals": "mean progress of measured KPIs (0–1)", "measure.relationship": "days since the last meeting, agreement or plan step",
        "risk.goals_not_agreed": "goals not agreed", "risk.missing_customer_owner": "no customer-side owner",
        "risk.goals_changed_without_agreement": "goals changed without agreement", "risk.lacking_customer_resources": "milestones overdue",
        "risk.usage_drop": "usage drop", "risk.detractor": "detractor", "risk.renewal_low_health": "renewal with low health",
        "goal.superordinate": "superordinate", "goal.focal": "focal", "goal.subordinate": "subordinate", "goal.strategic": "strategic", "goal.tactical": "tactical",
        "attainment.open": "open", "attainment.none": "not reached", "attainment.partly": "partly reached", "attainment.fully": "reached",
        "side.vendor": "vendor", "side.customer": "customer",
        "source.manual": "entered", "source.usage": "usage", "source.survey": "survey",
        "phase.activation": "Activation", "phase.adoption": "Adoption", "phase.optimization": "Optimization",
    ]

    static let german: [String: String] = [
        "health.red": "rot", "health.yellow": "gelb", "health.green": "grün",
        "health.usage": "Nutzung", "health.adoption": "Adoption", "health.sentiment": "Stimmung (NPS)", "health.support": "Offene Fälle",
        "health.goals": "Zielfortschritt", "health.relationship": "Beziehung",
        "measure.usage": "aktive Nutzer der letzten 4 Wochen ÷ Lizenzen", "measure.adoption": "in 28 Tagen genutzte Funktionen ÷ im Arbeitsbereich genutzte Funktionen",
        "measure.sentiment": "NPS der Antworten des Kunden in 12 Monaten (ab 3 Antworten)", "measure.support": "offene Feedback-Fälle",
        "measure.goals": "mittlerer Fortschritt gemessener KPIs (0–1)", "measure.relationship": "Tage seit dem letzten Termin, der letzten Einigung oder dem letzten Planschritt",
        "risk.goals_not_agreed": "Ziele nicht abgestimmt", "risk.missing_customer_owner": "keine Verantwortung beim Kunden",
        "risk.goals_changed_without_agreement": "Ziele ohne Einigung geändert", "risk.lacking_customer_resources": "Meilensteine überfällig",
        "risk.usage_drop": "Nutzung eingebrochen", "risk.detractor": "Kritiker", "risk.renewal_low_health": "Verlängerung bei schwacher Gesundheit",
        "goal.superordinate": "übergeordnet", "goal.focal": "fokal", "goal.subordinate": "untergeordnet", "goal.strategic": "strategisch", "goal.tactical": "taktisch",
        "attainment.open": "offen", "attainment.none": "nicht erreicht", "attainment.partly": "teilweise erreicht", "attainment.fully": "erreicht",
        "side.vendor": "Anbieter", "side.customer": "Kunde",
        "source.manual": "erfasst", "source.usage": "Nutzung", "source.survey": "Befragung",
        "phase.activation": "Aktivierung", "phase.adoption": "Adoption", "phase.optimization": "Optimierung",
        "0 points at": "0 Punkte bei", "100 points at": "100 Punkte bei", "4 weeks before": "4 Wochen davor",
        "A component without data for an account is left out and the others' weights are scaled up, so every score stays on 0–100 and says what it rests on.":
            "Fehlen einem Kunden die Daten für eine Komponente, bleibt sie außen vor und die Gewichte der anderen wachsen mit: Jeder Wert bleibt auf 0–100 und sagt, worauf er beruht.",
        "Active users, last 4 weeks": "Aktive Nutzer, letzte 4 Wochen", "Actual": "Ist", "Add KPI": "KPI hinzufügen", "Add a KPI": "Einen KPI hinzufügen",
        "Add a goal": "Ein Ziel hinzufügen", "Add a milestone": "Einen Meilenstein hinzufügen", "Add goal": "Ziel hinzufügen", "Add milestone": "Meilenstein hinzufügen",
        "Agree as vendor": "Als Anbieter zustimmen", "Agreed (ex ante)": "Abgestimmt (ex ante)", "Agreed what success looks like": "Hat zugestimmt, wie Erfolg aussieht",
        "An AUC needs at least one renewal and one churn with a score.": "Eine AUC braucht mindestens eine Verlängerung und eine Kündigung mit Wert.",
        "Back-test of the saved model": "Rückblick-Test des gespeicherten Modells", "Back-test of the weights tried": "Rückblick-Test der erprobten Gewichte",
        "Back-test these weights": "Diese Gewichte rückblickend testen", "Band": "Ampel", "Baseline": "Ausgangswert", "Baseline date": "Datum des Ausgangswerts",
        "Below": "Unter", "Budget": "Budget", "Churn per health band": "Kündigungen je Ampelfarbe", "Churn rate": "Kündigungsquote", "Churned": "Gekündigt",
        "Component": "Komponente",
        "Components: weights add up to 100; points run linearly from the first threshold (0) to the second (100)":
            "Komponenten: Die Gewichte ergeben 100; die Punkte laufen linear von der ersten Schwelle (0) bis zur zweiten (100)",
        "Computed the health of {n} accounts in {s} s.": "Gesundheit von {n} Kunden in {s} s berechnet.", "Contribution": "Beitrag",
        "Every account's health is computed once a day, from {h}:00 ({zone}), by whichever Rapport node gets there first.":
            "Die Gesundheit aller Kunden wird einmal am Tag ab {h}:00 Uhr ({zone}) berechnet, von dem Rapport-Knoten, der zuerst dazu kommt.",
        "The daily computation is turned off on this server (RAPPORT_HEALTH_HOUR=off): scores change only when someone recomputes them.":
            "Die tägliche Berechnung ist auf diesem Server ausgeschaltet (RAPPORT_HEALTH_HOUR=off): Die Werte ändern sich nur, wenn jemand sie neu berechnet.",
        "Daily computation": "Tägliche Berechnung", "No computation yet.": "Noch keine Berechnung.", "The latest computations": "Die letzten Berechnungen",
        "daily": "täglich", "by hand": "von Hand", "running": "läuft", "done": "fertig", "How": "Wie", "Time": "Dauer", "Day": "Tag", "failed": "fehlgeschlagen",
        "Create success plan": "Erfolgsplan anlegen", "Currency": "Währung", "Current": "Aktuell", "Customer Success": "Customer Success",
        "Customer Success assessment": "Customer-Success-Bewertung", "Customer Success portfolio": "Customer-Success-Portfolio",
        "Customer Success: goals, plan, health": "Customer Success: Ziele, Plan, Gesundheit", "Deadline": "Frist", "Due": "Fällig",
        "Each component's contribution (points × weight; missing components are left out and the weights renormalised)":
            "Beitrag jeder Komponente (Punkte × Gewicht; fehlende Komponenten bleiben außen vor, die Gewichte werden neu verteilt)",
        "Edit the plan": "Plan bearbeiten", "Events": "Ereignisse", "Events per feature, last 28 days": "Ereignisse je Funktion, letzte 28 Tage",
        "Events, last 28 days": "Ereignisse, letzte 28 Tage",
        "Ex ante {x} of {n} goals agreed by both sides; ex post {y} of {m} attained goals signed off by both.":
            "Ex ante {x} von {n} Zielen von beiden Seiten abgestimmt; ex post {y} von {m} erreichten Zielen von beiden bestätigt.",
        "Feature": "Funktion", "Feature breadth": "Funktionsbreite", "Goal": "Ziel", "Goals": "Ziele", "Goals reached": "Ziele erreicht", "Green from": "Grün ab",
        "Health": "Gesundheit", "Health model and back-test": "Gesundheitsmodell und Rückblick-Test", "Health over time": "Gesundheit im Zeitverlauf",
        "Health score 0–100 at each computation.": "Gesundheitswert 0–100 bei jeder Berechnung.", "Horizon": "Horizont", "Internal": "Intern", "KPI": "KPI",
        "Licence utilisation": "Lizenzauslastung", "Make a new share link": "Neuen Freigabelink erzeugen", "Mark reached": "Als erreicht markieren",
        "Measure": "Messgröße", "Measure from data": "Aus den Daten messen", "Measured on": "Gemessen am", "Milestones": "Meilensteine",
        "Next renewal": "Nächste Verlängerung", "No KPI yet: without one, attainment rests on judgement.": "Noch kein KPI: Ohne ihn beruht die Zielerreichung auf Einschätzung.",
        "No accounts for this owner.": "Keine Kunden für diese Person.", "No goals yet.": "Noch keine Ziele.",
        "No goals yet: the assessment starts with the customer's goals.": "Noch keine Ziele: Die Bewertung beginnt mit den Zielen des Kunden.",
        "No milestones yet.": "Noch keine Meilensteine.", "No risk signal.": "Kein Risikosignal.", "No seats on the contracts": "Keine Lizenzen in den Verträgen",
        "No success plan yet.": "Noch kein Erfolgsplan.", "No usage events in the last eight weeks.": "Keine Nutzungsereignisse in den letzten acht Wochen.",
        "Not computed yet. Recompute it under Portfolio → Health model.": "Noch nicht berechnet. Unter Portfolio → Gesundheitsmodell neu berechnen.",
        "Our owner": "Verantwortlich bei uns", "Outcomes": "Ausgänge", "Owner at the customer": "Verantwortlich beim Kunden", "Owners": "Verantwortliche",
        "Phases: planned and actual": "Phasen: Plan und Ist", "Planned": "Geplant", "Points 0–100": "Punkte 0–100", "Portfolio": "Portfolio", "Priority": "Priorität",
        "Realistic": "Realistisch", "Recompute every account's health now": "Gesundheit aller Kunden jetzt neu berechnen",
        "Record the customer's agreement": "Zustimmung des Kunden erfassen", "Red below": "Rot unter", "Renewals in 90 days": "Verlängerungen in 90 Tagen",
        "Reset goal": "Ziel zurücksetzen", "Reset the goal (keeps this version)": "Ziel zurücksetzen (diese Fassung bleibt erhalten)",
        "Revoke the share link": "Freigabelink widerrufen", "Risk signals": "Risikosignale",
        "Riskiest first: red before yellow before green, then by high risks and the nearest renewal":
            "Riskanteste zuerst: rot vor gelb vor grün, dann nach hohen Risiken und der nächsten Verlängerung",
        "Sales promised": "Vom Vertrieb versprochen", "Save as the model": "Als Modell speichern", "Save plan": "Plan speichern",
        "Score read days before the outcome": "Wert so viele Tage vor dem Ausgang", "Segments with their own model": "Segmente mit eigenem Modell",
        "Set attainment": "Erreichung setzen", "Share link — shown only now; copy it for the customer:": "Freigabelink – nur jetzt sichtbar; kopieren Sie ihn für den Kunden:",
        "Share with the customer": "Mit dem Kunden teilen", "Shared with the customer since": "Mit dem Kunden geteilt seit", "Sign off as vendor": "Als Anbieter bestätigen",
        "Signed off (ex post)": "Bestätigt (ex post)", "Signed off that it was reached": "Hat bestätigt, dass es erreicht wurde", "Since {d}: {s} → {t}.": "Seit {d}: {s} → {t}.",
        "Success plan": "Erfolgsplan",
        "The chance that a renewed account scored higher than a churned one: 0.5 is guessing, 1 is perfect.":
            "Die Wahrscheinlichkeit, dass ein verlängernder Kunde höher lag als ein kündigender: 0,5 ist Raten, 1 ist perfekt.",
        "The customer's goals as the customer sees them: superordinate (why), focal (what), subordinate (how). Both sides agree on each before, and sign off after.":
            "Die Ziele des Kunden, wie der Kunde sie sieht: übergeordnet (warum), fokal (was), untergeordnet (wie). Beide Seiten stimmen vorher zu und bestätigen danach.",
        "Top 3 priorities": "Die 3 wichtigsten Prioritäten", "Usage": "Nutzung", "Usage: feature or active_users": "Nutzung: Funktion oder active_users",
        "Visibility": "Sichtbarkeit", "Weight": "Gewicht", "Weight %": "Gewicht %", "Weights and thresholds": "Gewichte und Schwellen", "What": "Was",
        "Who agreed at the customer": "Wer beim Kunden zugestimmt hat", "Why it changes": "Warum es sich ändert", "computed on": "berechnet am",
        "everyone": "alle", "features used in the workspace": "im Arbeitsbereich genutzte Funktionen", "no data": "keine Daten",
        "no owner at the customer": "niemand beim Kunden verantwortlich", "overdue": "überfällig", "points": "Punkte", "seats": "Lizenzen", "version": "Fassung",
        "{a} reached, {b} partly, {c} not reached of {n} assessed goals; {o} still open. Partly counts half.":
            "{a} erreicht, {b} teilweise, {c} nicht erreicht von {n} bewerteten Zielen; {o} noch offen. Teilweise zählt halb.",
        "{n} renewals and churns from {from} to {to}, each with the health score {lead} days before; {c} churned. {w} outcomes had no score then.":
            "{n} Verlängerungen und Kündigungen vom {from} bis {to}, jeweils mit dem Gesundheitswert {lead} Tage davor; {c} gekündigt. {w} Ausgänge hatten damals keinen Wert.",
        "{x} of {n} assessed goals are backed by measured KPI values; the rest rests on judgement.":
            "{x} von {n} bewerteten Zielen sind durch gemessene KPI-Werte belegt; der Rest beruht auf Einschätzung.",
        "Success": "Erfolg", "days": "Tage", "You own no accounts, so this shows everyone's.": "Sie betreuen keine Kunden; hier stehen daher alle.", "Valence": "Valenz", "Congruence": "Kongruenz", "Certainty": "Gewissheit", "Health model": "Gesundheitsmodell",
    ]
}

/// The words of tasks, meetings, advocacy, renewals and playbooks.
enum SuccessOperationsWords {
    static let english: [String: String] = [
        "task.manual": "entered", "task.meeting": "meeting", "task.playbook": "playbook",
        "advocacy.reference": "Reference", "advocacy.case_study": "Case study", "advocacy.product_feedback": "Product feedback",
        "status.candidate": "candidate", "status.agreed": "agreed", "status.active": "active", "status.retired": "retired",
        "status.idea": "idea", "status.in_progress": "in progress", "status.approved": "approved", "status.published": "published",
        "status.sent": "sent", "status.acknowledged": "acknowledged", "status.planned": "planned", "status.declined": "declined", "status.shipped": "shipped",
        "trigger.risk_signal": "a risk signal appears", "trigger.renewal_within": "a renewal is due within N days", "trigger.timeline_event": "an event on the timeline",
        "peer.licence_utilisation": "Licence utilisation", "peer.feature_breadth": "Feature breadth", "peer.goal_progress": "Goal progress",
    ]

    static let german: [String: String] = [
        "task.manual": "erfasst", "task.meeting": "Termin", "task.playbook": "Playbook",
        "advocacy.reference": "Referenz", "advocacy.case_study": "Fallstudie", "advocacy.product_feedback": "Produktfeedback",
        "status.candidate": "Kandidat", "status.agreed": "zugesagt", "status.active": "aktiv", "status.retired": "beendet",
        "status.idea": "Idee", "status.in_progress": "in Arbeit", "status.approved": "freigegeben", "status.published": "veröffentlicht",
        "status.sent": "übermittelt", "status.acknowledged": "bestätigt", "status.planned": "geplant", "status.declined": "abgelehnt", "status.shipped": "ausgeliefert",
        "trigger.risk_signal": "ein Risikosignal erscheint", "trigger.renewal_within": "eine Verlängerung steht in N Tagen an", "trigger.timeline_event": "ein Ereignis in der Zeitleiste",
        "95 % interval": "95-%-Intervall",
        "A playbook turns a condition into tasks with owners and due dates, once per occurrence: the same risk signal, renewal or event never creates its tasks twice. A risk signal that goes away and comes back is a new occurrence. Active playbooks run every hour.":
            "Ein Playbook macht aus einer Bedingung Aufgaben mit Verantwortlichen und Fälligkeiten, einmal je Anlass: dasselbe Risikosignal, dieselbe Verlängerung oder dasselbe Ereignis erzeugt seine Aufgaben nie zweimal. Verschwindet ein Risikosignal und kehrt zurück, ist das ein neuer Anlass. Aktive Playbooks laufen stündlich.",
        "ARR up for renewal": "ARR zur Verlängerung", "Accounts (n)": "Kunden (n)",
        "Accounts with ARR on {from}, followed to {to}": "Kunden mit ARR am {from}, verfolgt bis {to}",
        "Add a task": "Aufgabe hinzufügen", "Add task": "Aufgabe anlegen", "Advocacy": "Fürsprache", "Attendees": "Teilnehmende",
        "Churn (accounts)": "Kündigung (Kunden)", "Contraction": "Reduzierung", "Contracts (n)": "Verträge (n)", "Create and run": "Anlegen und ausführen",
        "Created and run: {o} occurrences, {t} tasks.": "Angelegt und ausgeführt: {o} Anlässe, {t} Aufgaben.",
        "Creating and changing playbooks needs the permission to configure the health model.": "Playbooks anlegen und ändern erfordert das Recht, das Gesundheitsmodell zu konfigurieren.",
        "Decisions": "Entscheidungen", "Done": "Erledigt",
        "Each bar is the ARR expected to renew in the month, with its 95 % interval; n is the number of contracts up for renewal.":
            "Jeder Balken ist der im Monat erwartete verlängerte ARR mit seinem 95-%-Intervall; n ist die Zahl der Verträge, die zur Verlängerung anstehen.",
        "Each contract renews with the renewal rate its account's health band had in the back-test of the last 24 months (health 90 days before each renewal or churn). The expected ARR is the sum of ARR × rate; the interval treats the contracts as independent (normal approximation of the sum).":
            "Jeder Vertrag verlängert sich mit der Verlängerungsquote, die das Gesundheitsband seines Kunden im Backtest der letzten 24 Monate hatte (Gesundheit 90 Tage vor jeder Verlängerung oder Kündigung). Der erwartete ARR ist die Summe aus ARR × Quote; das Intervall behandelt die Verträge als unabhängig (Normalnäherung der Summe).",
        "Events, e.g.: contract.churn, contract.contraction, feedback, success.meeting.": "Ereignisse, z. B.: contract.churn, contract.contraction, feedback, success.meeting.",
        "Expansion": "Ausweitung", "Expected renewing ARR per month ({c})": "Erwarteter verlängerter ARR je Monat ({c})", "Expected to renew": "Erwartet verlängert",
        "GRR = (starting ARR − contraction − churn) ÷ starting ARR; NRR = (starting ARR + expansion − contraction − churn) ÷ starting ARR. The cohort is the accounts with ARR on the first day; each account's changes are netted over the period, new accounts are left out.":
            "GRR = (Anfangs-ARR − Reduzierung − Kündigung) ÷ Anfangs-ARR; NRR = (Anfangs-ARR + Ausweitung − Reduzierung − Kündigung) ÷ Anfangs-ARR. Die Kohorte sind die Kunden mit ARR am ersten Tag; die Änderungen jedes Kunden werden über den Zeitraum saldiert, neue Kunden bleiben außen vor.",
        "Held on": "Stattgefunden am", "How the forecast is made": "Wie die Prognose entsteht", "Meetings": "Termine", "Months ahead": "Monate voraus",
        "New playbook": "Neues Playbook",
        "Next steps, one per line: title | YYYY-MM-DD (due in 14 days without a date); each becomes a task for you":
            "Nächste Schritte, einer je Zeile: Titel | JJJJ-MM-TT (ohne Datum fällig in 14 Tagen); jeder wird eine Aufgabe für Sie",
        "No account had ARR a year ago.": "Vor einem Jahr hatte kein Kunde ARR.", "No active contract renews in this period.": "In diesem Zeitraum verlängert sich kein aktiver Vertrag.",
        "No meeting recorded yet.": "Noch kein Termin erfasst.", "No open task.": "Keine offene Aufgabe.", "No owner": "Ohne Verantwortliche",
        "No playbook yet.": "Noch kein Playbook.", "No renewals in this period": "Keine Verlängerungen in diesem Zeitraum", "None.": "Keine.", "Notes": "Notizen",
        "Nothing due this week.": "Diese Woche ist nichts fällig.", "Nothing recorded yet.": "Noch nichts erfasst.", "Occurrences": "Anlässe",
        "Only segment (optional)": "Nur Segment (optional)", "Open tasks": "Offene Aufgaben", "Open, due within 7 days": "Offen, fällig in 7 Tagen",
        "Outcomes (n)": "Ausgänge (n)", "Overdue": "Überfällig", "Playbook": "Playbook", "Playbooks": "Playbooks", "Product feedback is": "Produktfeedback ist",
        "Record a meeting": "Termin erfassen", "Record advocacy or feedback": "Fürsprache oder Feedback erfassen", "Record meeting": "Termin speichern",
        "References, case studies and product feedback from this customer. Product feedback also goes to the feedback inbox, to the queue that handles ideas or bugs.":
            "Referenzen, Fallstudien und Produktfeedback dieses Kunden. Produktfeedback geht auch in den Feedback-Eingang, an die Warteschlange für Ideen oder Fehler.",
        "Renewal rate": "Verlängerungsquote", "Renewal rate per health band in the back-test": "Verlängerungsquote je Gesundheitsband im Backtest",
        "Renewals and retention": "Verlängerungen und Bindung", "Renewals in the next 90 days, least likely first": "Verlängerungen der nächsten 90 Tage, unsicherste zuerst",
        "Renewals in {c}": "Verlängerungen in {c}", "Renewed": "Verlängert", "Revenue retention, last 12 months": "Umsatzbindung, letzte 12 Monate",
        "Run active playbooks now": "Aktive Playbooks jetzt ausführen",
        "Run: {o} new occurrences, {t} tasks, {r} occurrences ended.": "Ausgeführt: {o} neue Anlässe, {t} Aufgaben, {r} Anlässe beendet.",
        "Set": "Setzen", "Starting ARR": "Anfangs-ARR", "Task": "Aufgabe", "Tasks": "Aufgaben", "Tasks of": "Aufgaben von", "Tasks this week": "Aufgaben dieser Woche",
        "Tasks, one per line: title | due after days (the account's owner does them)": "Aufgaben, eine je Zeile: Titel | fällig nach Tagen (die Kundenverantwortlichen erledigen sie)",
        "The numbers as a table": "Die Zahlen als Tabelle", "We checked expectations against what was promised": "Wir haben die Erwartungen mit dem Versprochenen abgeglichen",
        "Which (signal, days or event kind)": "Welches (Signal, Tage oder Ereignisart)", "a bug": "ein Fehler", "all scored": "alle bewerteten",
        "an idea": "eine Idee", "due after {d} days": "fällig nach {d} Tagen", "expectations checked": "Erwartungen abgeglichen",
        "expectations not checked": "Erwartungen nicht abgeglichen", "in the feedback inbox": "im Feedback-Eingang", "ongoing": "laufend",
        "too few: overall rate": "zu wenige: Gesamtquote",
        "{n} contracts with {arr} ARR are up for renewal; {e} are expected to renew (95 % interval {l} – {h}).":
            "{n} Verträge mit {arr} ARR stehen zur Verlängerung an; {e} werden voraussichtlich verlängert (95-%-Intervall {l} – {h}).",
        "paused": "pausiert",
        "peer.licence_utilisation": "Lizenznutzung", "peer.feature_breadth": "Funktionsbreite", "peer.goal_progress": "Zielfortschritt",
        "Peer benchmark": "Vergleich mit ähnlichen Kunden", "This account against its peers": "Dieser Kunde im Vergleich mit ähnlichen",
        "Each bar is this account's value; the whisker spans the middle half of the peers (25th to 75th percentile); n is the number of peers with data.":
            "Jeder Balken ist der Wert dieses Kunden; die Linie umfasst die mittlere Hälfte der Vergleichskunden (25. bis 75. Perzentil); n ist die Zahl der Vergleichskunden mit Daten.",
        "Share (%)": "Anteil (%)", "No health scores yet": "Noch keine Gesundheitswerte", "too few peers with data": "zu wenige Vergleichskunden mit Daten",
        "peers' middle half": "mittlere Hälfte der Vergleichskunden",
        "{n} accounts of segment {s} and size {z}": "{n} Kunden des Segments {s} und der Größe {z}",
        "{n} accounts of segment {s} (too few of the same size)": "{n} Kunden des Segments {s} (zu wenige gleicher Größe)",
        "{n} accounts of the workspace (too few in the segment)": "{n} Kunden des Arbeitsbereichs (zu wenige im Segment)",
        "No health scores yet: the benchmark reads the measures stored with them.": "Noch keine Gesundheitswerte: der Vergleich liest die mit ihnen gespeicherten Messgrößen.",
        "Compared with": "Verglichen mit", "You have no open tasks due this week; here is everyone's.": "Sie haben diese Woche keine fälligen offenen Aufgaben; hier sind die aller.", "as of the health scores of": "Stand der Gesundheitswerte vom",
        "Percentiles below 5 peers with data are not shown.": "Perzentile unter 5 Vergleichskunden mit Daten werden nicht gezeigt.",
        "Measure": "Messgröße", "This account": "Dieser Kunde", "Percentile": "Perzentil", "Peers: 25th · median · 75th percentile": "Vergleichskunden: 25. · Median · 75. Perzentil",
        "Peers (n)": "Vergleichskunden (n)", "Options to look at": "Möglichkeiten zum Ansehen",
        "What similar accounts do — observations, not prescriptions.": "Was ähnliche Kunden tun – Beobachtungen, keine Vorgaben.",
        "{m}: the upper quarter of peers reach {v} or more; this account is at {a}.": "{m}: das obere Viertel der Vergleichskunden erreicht {v} oder mehr; dieser Kunde liegt bei {a}.",
        "Feature {f}: used by {u} of the {n} peers with the broadest adoption, not by this account in the last 28 days.":
            "Funktion {f}: genutzt von {u} der {n} Vergleichskunden mit der breitesten Nutzung, von diesem Kunden nicht in den letzten 28 Tagen.",
    ]
}

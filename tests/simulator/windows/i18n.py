"""Display-language texts of the simulated bcdedit.exe and reg.exe.

Windows translates messages, bcdedit object headers and (usually) bcdedit's `identifier` label; element names,
Yes/No, enum names and reg.exe value lines stay English, so those are not here.

Provenance: English texts come from `bcd-and-registry.md` and real captures. A translation copied from a real
capture (`/work/shared/data/text/*` or the reference's localized samples) carries no marker; every other
translation is the best known Windows wording and is marked `# unverified`.
"""
from __future__ import annotations

import unicodedata

LANGUAGES = ("en-US", "sv-SE", "nl-NL", "zh-CN", "ja-JP", "ko-KR", "de-DE")

_EN_US: dict[str, str] = {
    # reg.exe
    "reg.success": "The operation completed successfully.",
    "reg.error_prefix": "ERROR:",
    "reg.not_found": "The system was unable to find the specified registry key or value.",
    "reg.access_denied": "Access is denied.",
    "reg.invalid_syntax": "Invalid syntax.",
    "reg.invalid_type": "Invalid syntax. Specify a valid registry data type for '/t'.",  # unverified
    "reg.file_in_use": "The process cannot access the file because it is being used by another process.",
    "reg.key_exists_name_in_use": "Cannot create a file when that file already exists.",  # unverified (Win32 183)
    "reg.end_of_search": "End of search: {count} match(es) found.",
    "reg.invalid_key": "Invalid key name.",
    "reg.invalid_data": "Invalid syntax. Specify valid numeric value for '/d'.",  # unverified
    "reg.type_help": 'Type "REG ADD /?" for usage.',
    "reg.type_help_operation": 'Type "REG {operation} /?" for usage.',
    # bcdedit.exe messages
    "reg.file_not_found": "The system cannot find the file specified.",
    "reg.not_a_hive": "The configuration registry database is corrupt.",
    "reg.canceled": "The operation was canceled by the user.",
    "reg.default_value_name": "(Default)",
    "reg.value_not_set": "(value not set)",
    "bcdedit.success": "The operation completed successfully.",
    "bcdedit.store_open_failed": "The boot configuration data store could not be opened.",
    "bcdedit.command_invalid": "The {command} command specified is not valid.",
    "bcdedit.run_help": 'Run "bcdedit /?" for command line assistance.',
    "bcdedit.parameter_incorrect": "The parameter is incorrect.",
    "bcdedit.element_unknown": (
        "The element data type specified is not recognized, or does not apply to the specified entry."
    ),
    "bcdedit.element_not_found": "Element not found.",
    "bcdedit.delete_failed": "An error occurred while attempting to delete the specified data element.",
    "bcdedit.integer_invalid": "The integer data is not valid as specified.",
    "bcdedit.boolean_invalid": "The boolean value is not valid as specified.",  # unverified
    "bcdedit.device_invalid": "The device is not valid as specified.",
    "bcdedit.entry_reference_failed": "An error occurred while attempting to reference the specified entry.",
    "bcdedit.file_not_found": "The system cannot find the file specified.",
    "bcdedit.file_in_use": "The process cannot access the file because it is being used by another process.",
    "bcdedit.access_denied": "Access is denied.",
    "bcdedit.file_corrupt": "The file or directory is corrupted and unreadable.",
    "bcdedit.not_a_registry_file": (
        "The system has attempted to load or restore a file into the registry, but the specified file is not in a "
        "registry file format."
    ),
    # bcdedit /enum labels and object headers
    "bcdedit.label.identifier": "identifier",
    "bcdedit.header.fwbootmgr": "Firmware Boot Manager",
    "bcdedit.header.bootmgr": "Windows Boot Manager",
    "bcdedit.header.osloader": "Windows Boot Loader",
    "bcdedit.header.resume": "Resume from Hibernate",
    "bcdedit.header.memdiag": "Windows Memory Tester",
    "bcdedit.header.ntldr": "Windows Legacy OS Loader",
    "bcdedit.header.bootsector": "Real-mode Boot Sector",
    "bcdedit.header.firmware_application": "Firmware Application ({type})",
    "bcdedit.header.emssettings": "EMS Settings",
    "bcdedit.header.dbgsettings": "Debugger Settings",
    "bcdedit.header.badmemory": "RAM Defects",
    "bcdedit.header.globalsettings": "Global Settings",
    "bcdedit.header.bootloadersettings": "Boot Loader Settings",
    "bcdedit.header.hypervisorsettings": "Hypervisor Settings",
    "bcdedit.header.resumeloadersettings": "Resume Loader Settings",
    "bcdedit.header.inherited": "Inherited Settings ({type})",
    "bcdedit.header.device_options": "Device options",
    "bcdedit.header.ramdisk_options": "Setup Ramdisk Options",
}

_DE_DE: dict[str, str] = {
    "reg.success": "Der Vorgang wurde erfolgreich beendet.",  # unverified
    "reg.error_prefix": "FEHLER:",
    "reg.not_found": "Der angegebene Registrierungsschlüssel bzw. Wert wurde nicht gefunden.",
    "reg.access_denied": "Zugriff verweigert",  # unverified
    "reg.invalid_syntax": "Ungültige Syntax.",  # unverified
    "reg.invalid_type": "Ungültige Syntax. Geben Sie einen gültigen Registrierungsdatentyp für \"/t\" an.",  # unverified
    "reg.file_in_use": (  # unverified
        "Der Prozess kann nicht auf die Datei zugreifen, da sie von einem anderen Prozess verwendet wird."
    ),
    "reg.key_exists_name_in_use": "Eine Datei kann nicht erstellt werden, wenn sie bereits vorhanden ist.",  # unverified
    "reg.end_of_search": "Suche beendet: {count} Übereinstimmung(en) gefunden.",  # unverified
    "reg.invalid_key": "Ungültiger Schlüsselname.",  # unverified
    "reg.invalid_data": "Ungültige Syntax. Geben Sie einen gültigen numerischen Wert für \"/d\" an.",  # unverified
    "reg.type_help": 'Geben Sie "REG ADD /?" ein, um die Syntax anzuzeigen.',  # unverified
    "reg.type_help_operation": 'Geben Sie "REG {operation} /?" ein, um die Syntax anzuzeigen.',  # unverified
    "reg.file_not_found": "Das System kann die angegebene Datei nicht finden.",  # unverified
    "reg.not_a_hive": "Die Konfigurationsregistrierungsdatenbank ist beschädigt.",  # unverified
    "reg.canceled": "Der Vorgang wurde vom Benutzer abgebrochen.",  # unverified
    "reg.default_value_name": "(Standard)",  # unverified
    "reg.value_not_set": "(Wert nicht festgelegt)",  # unverified
    "bcdedit.success": "Der Vorgang wurde erfolgreich beendet.",  # unverified
    "bcdedit.store_open_failed": "Der Startkonfigurationsdatenspeicher konnte nicht geöffnet werden.",  # unverified
    "bcdedit.command_invalid": "Der angegebene {command}-Befehl ist ungültig.",  # unverified
    "bcdedit.run_help": 'Führen Sie "bcdedit /?" aus, um Hilfe zur Befehlszeile zu erhalten.',  # unverified
    "bcdedit.parameter_incorrect": "Falscher Parameter.",  # unverified
    "bcdedit.element_unknown": (  # unverified
        "Der angegebene Elementdatentyp wird nicht erkannt oder gilt nicht für den angegebenen Eintrag."
    ),
    "bcdedit.element_not_found": "Element nicht gefunden.",  # unverified
    "bcdedit.delete_failed": "Fehler beim Löschen des angegebenen Datenelements.",  # unverified
    "bcdedit.integer_invalid": "Die angegebenen ganzzahligen Daten sind ungültig.",  # unverified
    "bcdedit.boolean_invalid": "Der angegebene boolesche Wert ist ungültig.",  # unverified
    "bcdedit.device_invalid": "Das angegebene Gerät ist ungültig.",  # unverified
    "bcdedit.entry_reference_failed": "Fehler beim Verweisen auf den angegebenen Eintrag.",  # unverified
    "bcdedit.file_not_found": "Das System kann die angegebene Datei nicht finden.",  # unverified
    "bcdedit.file_in_use": (  # unverified
        "Der Prozess kann nicht auf die Datei zugreifen, da sie von einem anderen Prozess verwendet wird."
    ),
    "bcdedit.access_denied": "Zugriff verweigert",  # unverified
    "bcdedit.file_corrupt": "Die Datei oder das Verzeichnis ist beschädigt und nicht lesbar.",  # unverified
    "bcdedit.not_a_registry_file": (  # unverified
        "Das System hat versucht, eine Datei in die Registrierung zu laden bzw. wiederherzustellen, aber die "
        "angegebene Datei hat kein gültiges Registrierungsdateiformat."
    ),
    "bcdedit.label.identifier": "Bezeichner",
    "bcdedit.header.fwbootmgr": "Start-Manager für Firmware",
    "bcdedit.header.bootmgr": "Windows-Start-Manager",
    "bcdedit.header.osloader": "Windows-Startladeprogramm",
    "bcdedit.header.resume": "Wiederaufnahme aus dem Ruhezustand",
    "bcdedit.header.memdiag": "Windows-Speichertestprogramm",
    "bcdedit.header.ntldr": "Windows-Legacybetriebssystem-Ladeprogramm",  # unverified
    "bcdedit.header.bootsector": "Startsektor im Realmodus",  # unverified
    "bcdedit.header.firmware_application": "Firmwareanwendung ({type})",
    "bcdedit.header.emssettings": "EMS-Einstellungen",
    "bcdedit.header.dbgsettings": "Debuggereinstellungen",
    "bcdedit.header.badmemory": "RAM-Defekte",
    "bcdedit.header.globalsettings": "Globale Einstellungen",
    "bcdedit.header.bootloadersettings": "Startladeprogramm-Einstellungen",
    "bcdedit.header.hypervisorsettings": "Hypervisoreinstellungen",
    "bcdedit.header.resumeloadersettings": "Einstellungen zur Ladeprogrammfortsetzung",
    "bcdedit.header.inherited": "Geerbte Einstellungen ({type})",  # unverified
    "bcdedit.header.device_options": "Geräteoptionen",
    "bcdedit.header.ramdisk_options": "Setup-Ramdiskoptionen",  # unverified
}

_SV_SE: dict[str, str] = {  # no real Swedish capture is known: every entry is unverified
    "reg.success": "Åtgärden har slutförts.",  # unverified
    "reg.error_prefix": "FEL:",  # unverified
    "reg.not_found": "Det gick inte att hitta den angivna registernyckeln eller det angivna värdet.",  # unverified
    "reg.access_denied": "Åtkomst nekad.",  # unverified
    "reg.invalid_syntax": "Ogiltig syntax.",  # unverified
    "reg.invalid_type": "Ogiltig syntax. Ange en giltig registerdatatyp för /t.",  # unverified
    "reg.file_in_use": "Processen kan inte komma åt filen eftersom den används av en annan process.",  # unverified
    "reg.key_exists_name_in_use": "Det går inte att skapa en fil som redan finns.",  # unverified
    "reg.end_of_search": "Sökningen har slutförts: {count} matchning(ar) hittades.",  # unverified
    "reg.invalid_key": "Ogiltigt nyckelnamn.",  # unverified
    "reg.invalid_data": "Ogiltig syntax. Ange ett giltigt numeriskt värde för /d.",  # unverified
    "reg.type_help": 'Skriv "REG ADD /?" om du vill visa användning.',  # unverified
    "reg.type_help_operation": 'Skriv "REG {operation} /?" om du vill visa användning.',  # unverified
    "reg.file_not_found": "Det går inte att hitta filen.",  # unverified
    "reg.not_a_hive": "Konfigurationsregisterdatabasen är skadad.",  # unverified
    "reg.canceled": "Åtgärden avbröts av användaren.",  # unverified
    "reg.default_value_name": "(Standard)",  # unverified
    "reg.value_not_set": "(värdet har inte angetts)",  # unverified
    "bcdedit.success": "Åtgärden har slutförts.",  # unverified
    "bcdedit.store_open_failed": "Det gick inte att öppna arkivet för startkonfigurationsdata.",  # unverified
    "bcdedit.command_invalid": "Det angivna kommandot {command} är ogiltigt.",  # unverified
    "bcdedit.run_help": 'Kör "bcdedit /?" om du vill ha hjälp med kommandoraden.',  # unverified
    "bcdedit.parameter_incorrect": "Felaktig parameter.",  # unverified
    "bcdedit.element_unknown": (  # unverified
        "Den angivna elementdatatypen känns inte igen eller gäller inte för den angivna posten."
    ),
    "bcdedit.element_not_found": "Elementet hittades inte.",  # unverified
    "bcdedit.delete_failed": "Ett fel uppstod när det angivna dataelementet skulle tas bort.",  # unverified
    "bcdedit.integer_invalid": "Heltalsdata är ogiltiga så som de har angetts.",  # unverified
    "bcdedit.boolean_invalid": "Det booleska värdet är ogiltigt så som det har angetts.",  # unverified
    "bcdedit.device_invalid": "Enheten är ogiltig så som den har angetts.",  # unverified
    "bcdedit.entry_reference_failed": "Ett fel uppstod vid försök att referera till den angivna posten.",  # unverified
    "bcdedit.file_not_found": "Det går inte att hitta filen.",  # unverified
    "bcdedit.file_in_use": "Processen kan inte komma åt filen eftersom den används av en annan process.",  # unverified
    "bcdedit.access_denied": "Åtkomst nekad.",  # unverified
    "bcdedit.file_corrupt": "Filen eller katalogen är skadad och går inte att läsa.",  # unverified
    "bcdedit.not_a_registry_file": (  # unverified
        "Systemet har försökt att läsa in eller återställa en fil i registret, men den angivna filen har inte "
        "registerfilformat."
    ),
    "bcdedit.label.identifier": "identifierare",  # unverified
    "bcdedit.header.fwbootmgr": "Starthanterare för inbyggd programvara",  # unverified
    "bcdedit.header.bootmgr": "Windows Start hanteraren",  # unverified
    "bcdedit.header.osloader": "Windows Start-laddare",  # unverified
    "bcdedit.header.resume": "Återuppta från viloläge",  # unverified
    "bcdedit.header.memdiag": "Windows minnestestare",  # unverified
    "bcdedit.header.ntldr": "Windows äldre OS-inläsare",  # unverified
    "bcdedit.header.bootsector": "Startsektor i realläge",  # unverified
    "bcdedit.header.firmware_application": "Program för inbyggd programvara ({type})",  # unverified
    "bcdedit.header.emssettings": "EMS-inställningar",  # unverified
    "bcdedit.header.dbgsettings": "Felsökningsinställningar",  # unverified
    "bcdedit.header.badmemory": "RAM-defekter",  # unverified
    "bcdedit.header.globalsettings": "Globala inställningar",  # unverified
    "bcdedit.header.bootloadersettings": "Inställningar för startladdare",  # unverified
    "bcdedit.header.hypervisorsettings": "Hypervisor-inställningar",  # unverified
    "bcdedit.header.resumeloadersettings": "Inställningar för återupptagningsladdare",  # unverified
    "bcdedit.header.inherited": "Ärvda inställningar ({type})",  # unverified
    "bcdedit.header.device_options": "Enhetsalternativ",  # unverified
    "bcdedit.header.ramdisk_options": "Alternativ för installations-RAM-disk",  # unverified
}

_NL_NL: dict[str, str] = {  # no real Dutch capture is known: every entry is unverified
    "reg.success": "De bewerking is voltooid.",  # unverified
    "reg.error_prefix": "FOUT:",  # unverified
    "reg.not_found": "Kan de opgegeven registersleutel of waarde niet vinden.",  # unverified
    "reg.access_denied": "Toegang geweigerd.",  # unverified
    "reg.invalid_syntax": "Ongeldige syntaxis.",  # unverified
    "reg.invalid_type": "Ongeldige syntaxis. Geef een geldig registergegevenstype op voor /t.",  # unverified
    "reg.file_in_use": (  # unverified
        "Het proces heeft geen toegang tot het bestand omdat het door een ander proces wordt gebruikt."
    ),
    "reg.key_exists_name_in_use": "Kan geen bestand maken dat al bestaat.",  # unverified
    "reg.end_of_search": "Einde van zoekopdracht: {count} overeenkomst(en) gevonden.",  # unverified
    "reg.invalid_key": "Ongeldige sleutelnaam.",  # unverified
    "reg.invalid_data": "Ongeldige syntaxis. Geef een geldige numerieke waarde op voor /d.",  # unverified
    "reg.type_help": 'Typ "REG ADD /?" voor informatie over het gebruik.',  # unverified
    "reg.type_help_operation": 'Typ "REG {operation} /?" voor informatie over het gebruik.',  # unverified
    "reg.file_not_found": "Het systeem kan het opgegeven bestand niet vinden.",  # unverified
    "reg.not_a_hive": "De configuratieregisterdatabase is beschadigd.",  # unverified
    "reg.canceled": "De bewerking is door de gebruiker geannuleerd.",  # unverified
    "reg.default_value_name": "(Standaard)",  # unverified
    "reg.value_not_set": "(waarde niet ingesteld)",  # unverified
    "bcdedit.success": "De bewerking is voltooid.",  # unverified
    "bcdedit.store_open_failed": "Kan het archief met opstartconfiguratiegegevens niet openen.",  # unverified
    "bcdedit.command_invalid": "De opgegeven opdracht {command} is ongeldig.",  # unverified
    "bcdedit.run_help": 'Voer "bcdedit /?" uit voor hulp bij de opdrachtregel.',  # unverified
    "bcdedit.parameter_incorrect": "Onjuiste parameter.",  # unverified
    "bcdedit.element_unknown": (  # unverified
        "Het opgegeven elementgegevenstype wordt niet herkend of is niet van toepassing op de opgegeven vermelding."
    ),
    "bcdedit.element_not_found": "Element niet gevonden.",  # unverified
    "bcdedit.delete_failed": "Fout bij het verwijderen van het opgegeven gegevenselement.",  # unverified
    "bcdedit.integer_invalid": "De opgegeven gehele getalgegevens zijn ongeldig.",  # unverified
    "bcdedit.boolean_invalid": "De opgegeven Booleaanse waarde is ongeldig.",  # unverified
    "bcdedit.device_invalid": "Het opgegeven apparaat is ongeldig.",  # unverified
    "bcdedit.entry_reference_failed": "Fout bij het verwijzen naar de opgegeven vermelding.",  # unverified
    "bcdedit.file_not_found": "Het systeem kan het opgegeven bestand niet vinden.",  # unverified
    "bcdedit.file_in_use": (  # unverified
        "Het proces heeft geen toegang tot het bestand omdat het door een ander proces wordt gebruikt."
    ),
    "bcdedit.access_denied": "Toegang geweigerd.",  # unverified
    "bcdedit.file_corrupt": "Het bestand of de map is beschadigd en kan niet worden gelezen.",  # unverified
    "bcdedit.not_a_registry_file": (  # unverified
        "Het systeem heeft geprobeerd een bestand in het register te laden of terug te zetten, maar het opgegeven "
        "bestand heeft geen registerbestandsindeling."
    ),
    "bcdedit.label.identifier": "id",  # unverified
    "bcdedit.header.fwbootmgr": "Firmware-opstartbeheer",  # unverified
    "bcdedit.header.bootmgr": "Windows Boot Manager",  # unverified
    "bcdedit.header.osloader": "Windows-opstartlaadprogramma",  # unverified
    "bcdedit.header.resume": "Hervatten vanuit sluimerstand",  # unverified
    "bcdedit.header.memdiag": "Windows Geheugentester",  # unverified
    "bcdedit.header.ntldr": "Windows verouderd besturingssysteemlaadprogramma",  # unverified
    "bcdedit.header.bootsector": "Opstartsector in reële modus",  # unverified
    "bcdedit.header.firmware_application": "Firmwaretoepassing ({type})",  # unverified
    "bcdedit.header.emssettings": "EMS-instellingen",  # unverified
    "bcdedit.header.dbgsettings": "Instellingen voor foutopsporing",  # unverified
    "bcdedit.header.badmemory": "RAM-defecten",  # unverified
    "bcdedit.header.globalsettings": "Algemene instellingen",  # unverified
    "bcdedit.header.bootloadersettings": "Instellingen voor opstartlaadprogramma",  # unverified
    "bcdedit.header.hypervisorsettings": "Hypervisorinstellingen",  # unverified
    "bcdedit.header.resumeloadersettings": "Instellingen voor hervattingslaadprogramma",  # unverified
    "bcdedit.header.inherited": "Overgenomen instellingen ({type})",  # unverified
    "bcdedit.header.device_options": "Apparaatopties",  # unverified
    "bcdedit.header.ramdisk_options": "Opties voor installatie-RAM-schijf",  # unverified
}

_ZH_CN: dict[str, str] = {
    "reg.success": "操作成功完成。",
    "reg.error_prefix": "错误:",  # unverified
    "reg.not_found": "系统找不到指定的注册表项或值。",  # unverified
    "reg.access_denied": "拒绝访问。",  # unverified
    "reg.invalid_syntax": "无效语法。",  # unverified
    "reg.invalid_type": "无效语法。请为 /t 指定有效的注册表数据类型。",  # unverified
    "reg.file_in_use": "另一个程序正在使用此文件，进程无法访问。",  # unverified
    "reg.key_exists_name_in_use": "当文件已存在时，无法创建该文件。",  # unverified
    "reg.end_of_search": "搜索结束: 找到 {count} 匹配。",  # unverified
    "reg.invalid_key": "无效项名。",  # unverified
    "reg.invalid_data": "无效语法。请为 /d 指定有效的数值。",  # unverified
    "reg.type_help": '键入 "REG ADD /?" 了解用法信息。',  # unverified
    "reg.type_help_operation": '键入 "REG {operation} /?" 了解用法信息。',  # unverified
    "reg.file_not_found": "系统找不到指定的文件。",  # unverified
    "reg.not_a_hive": "配置注册表数据库损坏。",  # unverified
    "reg.canceled": "操作已被用户取消。",  # unverified
    "reg.default_value_name": "(默认)",  # unverified
    "reg.value_not_set": "(数值未设置)",  # unverified
    "bcdedit.success": "操作成功完成。",
    "bcdedit.store_open_failed": "无法打开启动配置数据存储。",  # unverified
    "bcdedit.command_invalid": "指定的 {command} 命令无效。",  # unverified
    "bcdedit.run_help": '运行 "bcdedit /?" 获得命令行帮助。',  # unverified
    "bcdedit.parameter_incorrect": "参数错误。",  # unverified
    "bcdedit.element_unknown": "指定的元素数据类型无法识别，或者不适用于指定的项。",  # unverified
    "bcdedit.element_not_found": "找不到元素。",  # unverified
    "bcdedit.delete_failed": "尝试删除指定的数据元素时出错。",  # unverified
    "bcdedit.integer_invalid": "指定的整数数据无效。",  # unverified
    "bcdedit.boolean_invalid": "指定的布尔值无效。",  # unverified
    "bcdedit.device_invalid": "指定的设备无效。",  # unverified
    "bcdedit.entry_reference_failed": "尝试引用指定的项时出错。",  # unverified
    "bcdedit.file_not_found": "系统找不到指定的文件。",  # unverified
    "bcdedit.file_in_use": "另一个程序正在使用此文件，进程无法访问。",  # unverified
    "bcdedit.access_denied": "拒绝访问。",  # unverified
    "bcdedit.file_corrupt": "文件或目录损坏且无法读取。",  # unverified
    "bcdedit.not_a_registry_file": "系统试图将文件加载或还原到注册表中，但指定的文件不是注册表文件格式。",  # unverified
    "bcdedit.label.identifier": "标识符",
    "bcdedit.header.fwbootmgr": "固件启动管理器",  # unverified
    "bcdedit.header.bootmgr": "Windows 启动管理器",
    "bcdedit.header.osloader": "Windows 启动加载器",
    "bcdedit.header.resume": "从休眠状态恢复",
    "bcdedit.header.memdiag": "Windows 内存测试程序",  # unverified
    "bcdedit.header.ntldr": "Windows 旧版 OS 加载器",  # unverified
    "bcdedit.header.bootsector": "实模式启动扇区",  # unverified
    "bcdedit.header.firmware_application": "固件应用程序 ({type})",  # unverified
    "bcdedit.header.emssettings": "EMS 设置",  # unverified
    "bcdedit.header.dbgsettings": "调试程序设置",  # unverified
    "bcdedit.header.badmemory": "RAM 缺陷",  # unverified
    "bcdedit.header.globalsettings": "全局设置",  # unverified
    "bcdedit.header.bootloadersettings": "启动加载器设置",  # unverified
    "bcdedit.header.hypervisorsettings": "虚拟机监控程序设置",  # unverified
    "bcdedit.header.resumeloadersettings": "恢复加载器设置",  # unverified
    "bcdedit.header.inherited": "继承的设置 ({type})",  # unverified
    "bcdedit.header.device_options": "设备选项",  # unverified
    "bcdedit.header.ramdisk_options": "安装程序 Ramdisk 选项",  # unverified
}

_JA_JP: dict[str, str] = {
    "reg.success": "この操作を正しく終了しました。",  # unverified
    "reg.error_prefix": "エラー:",  # unverified
    "reg.not_found": "指定されたレジストリ キーまたは値が見つかりませんでした",  # unverified
    "reg.access_denied": "アクセスが拒否されました。",  # unverified
    "reg.invalid_syntax": "無効な構文です。",  # unverified
    "reg.invalid_type": "無効な構文です。/t には有効なレジストリ データ型を指定してください。",  # unverified
    "reg.file_in_use": "プロセスはファイルにアクセスできません。別のプロセスが使用中です。",  # unverified
    "reg.key_exists_name_in_use": "既に存在するファイルを作成することはできません。",  # unverified
    "reg.end_of_search": "検索の終わり: {count} 件の一致が見つかりました。",  # unverified
    "reg.invalid_key": "無効なキー名です。",  # unverified
    "reg.invalid_data": "無効な構文です。/d には有効な数値を指定してください。",  # unverified
    "reg.type_help": '使用法については、"REG ADD /?" と入力してください。',  # unverified
    "reg.type_help_operation": '使用法については、"REG {operation} /?" と入力してください。',  # unverified
    "reg.file_not_found": "指定されたファイルが見つかりません。",  # unverified
    "reg.not_a_hive": "構成レジストリ データベースが壊れています。",  # unverified
    "reg.canceled": "操作はユーザーによって取り消されました。",  # unverified
    "reg.default_value_name": "(既定)",  # unverified
    "reg.value_not_set": "(値の設定なし)",  # unverified
    "bcdedit.success": "この操作を正しく終了しました。",  # unverified
    "bcdedit.store_open_failed": "ブート構成データ ストアを開けませんでした。",  # unverified
    "bcdedit.command_invalid": "指定された {command} コマンドは無効です。",  # unverified
    "bcdedit.run_help": 'コマンド ラインのヘルプを表示するには、"bcdedit /?" を実行してください。',  # unverified
    "bcdedit.parameter_incorrect": "パラメーターが間違っています。",  # unverified
    "bcdedit.element_unknown": (  # unverified
        "指定された要素データ型は認識されないか、指定されたエントリには適用されません。"
    ),
    "bcdedit.element_not_found": "要素が見つかりません。",  # unverified
    "bcdedit.delete_failed": "指定されたデータ要素を削除しようとしてエラーが発生しました。",  # unverified
    "bcdedit.integer_invalid": "指定された整数データは無効です。",  # unverified
    "bcdedit.boolean_invalid": "指定されたブール値は無効です。",  # unverified
    "bcdedit.device_invalid": "指定されたデバイスは無効です。",  # unverified
    "bcdedit.entry_reference_failed": "指定されたエントリを参照しようとしてエラーが発生しました。",  # unverified
    "bcdedit.file_not_found": "指定されたファイルが見つかりません。",  # unverified
    "bcdedit.file_in_use": "プロセスはファイルにアクセスできません。別のプロセスが使用中です。",  # unverified
    "bcdedit.access_denied": "アクセスが拒否されました。",  # unverified
    "bcdedit.file_corrupt": "ファイルまたはディレクトリが壊れているため、読み取ることができません。",  # unverified
    "bcdedit.not_a_registry_file": (  # unverified
        "システムはファイルをレジストリに読み込むか復元しようとしましたが、指定されたファイルはレジストリ ファイルの形式ではありません。"
    ),
    "bcdedit.label.identifier": "identifier",  # the one known Japanese capture keeps the English label
    "bcdedit.header.fwbootmgr": "ファームウェア ブート マネージャー",  # unverified
    "bcdedit.header.bootmgr": "Windows ブート マネージャー",
    "bcdedit.header.osloader": "Windows ブート ローダー",
    "bcdedit.header.resume": "休止状態からの再開",  # unverified
    "bcdedit.header.memdiag": "Windows メモリ テスター",  # unverified
    "bcdedit.header.ntldr": "Windows レガシ OS ローダー",  # unverified
    "bcdedit.header.bootsector": "リアルモード ブート セクター",  # unverified
    "bcdedit.header.firmware_application": "ファームウェア アプリケーション ({type})",  # unverified
    "bcdedit.header.emssettings": "EMS 設定",  # unverified
    "bcdedit.header.dbgsettings": "デバッガー設定",  # unverified
    "bcdedit.header.badmemory": "RAM 不良",  # unverified
    "bcdedit.header.globalsettings": "グローバル設定",  # unverified
    "bcdedit.header.bootloadersettings": "ブート ローダーの設定",  # unverified
    "bcdedit.header.hypervisorsettings": "ハイパーバイザーの設定",  # unverified
    "bcdedit.header.resumeloadersettings": "再開ローダーの設定",  # unverified
    "bcdedit.header.inherited": "継承された設定 ({type})",  # unverified
    "bcdedit.header.device_options": "デバイス オプション",  # unverified
    "bcdedit.header.ramdisk_options": "セットアップ RAM ディスク オプション",  # unverified
}

_KO_KR: dict[str, str] = {  # no real Korean capture is known: every entry is unverified
    "reg.success": "작업을 완료했습니다.",  # unverified
    "reg.error_prefix": "오류:",  # unverified
    "reg.not_found": "지정한 레지스트리 키 또는 값을 찾을 수 없습니다.",  # unverified
    "reg.access_denied": "액세스가 거부되었습니다.",  # unverified
    "reg.invalid_syntax": "구문이 잘못되었습니다.",  # unverified
    "reg.invalid_type": "구문이 잘못되었습니다. /t에 올바른 레지스트리 데이터 형식을 지정하십시오.",  # unverified
    "reg.file_in_use": "다른 프로세스가 파일을 사용 중이기 때문에 프로세스가 액세스 할 수 없습니다.",  # unverified
    "reg.key_exists_name_in_use": "파일이 이미 있으므로 만들 수 없습니다.",  # unverified
    "reg.end_of_search": "검색 끝: {count}개 일치 항목을 찾았습니다.",  # unverified
    "reg.invalid_key": "키 이름이 잘못되었습니다.",  # unverified
    "reg.invalid_data": "구문이 잘못되었습니다. /d에 올바른 숫자 값을 지정하십시오.",  # unverified
    "reg.type_help": '사용법을 보려면 "REG ADD /?"를 입력하십시오.',  # unverified
    "reg.type_help_operation": '사용법을 보려면 "REG {operation} /?"를 입력하십시오.',  # unverified
    "reg.file_not_found": "지정된 파일을 찾을 수 없습니다.",  # unverified
    "reg.not_a_hive": "구성 레지스트리 데이터베이스가 손상되었습니다.",  # unverified
    "reg.canceled": "사용자가 작업을 취소했습니다.",  # unverified
    "reg.default_value_name": "(기본값)",  # unverified
    "reg.value_not_set": "(값 설정 안 됨)",  # unverified
    "bcdedit.success": "작업을 완료했습니다.",  # unverified
    "bcdedit.store_open_failed": "부팅 구성 데이터 저장소를 열 수 없습니다.",  # unverified
    "bcdedit.command_invalid": "지정한 {command} 명령이 잘못되었습니다.",  # unverified
    "bcdedit.run_help": '명령줄 도움말을 보려면 "bcdedit /?"를 실행하십시오.',  # unverified
    "bcdedit.parameter_incorrect": "매개 변수가 틀립니다.",  # unverified
    "bcdedit.element_unknown": "지정한 요소 데이터 형식을 인식할 수 없거나 지정한 항목에 적용되지 않습니다.",  # unverified
    "bcdedit.element_not_found": "요소를 찾을 수 없습니다.",  # unverified
    "bcdedit.delete_failed": "지정한 데이터 요소를 삭제하는 동안 오류가 발생했습니다.",  # unverified
    "bcdedit.integer_invalid": "지정한 정수 데이터가 잘못되었습니다.",  # unverified
    "bcdedit.boolean_invalid": "지정한 부울 값이 잘못되었습니다.",  # unverified
    "bcdedit.device_invalid": "지정한 장치가 잘못되었습니다.",  # unverified
    "bcdedit.entry_reference_failed": "지정한 항목을 참조하는 동안 오류가 발생했습니다.",  # unverified
    "bcdedit.file_not_found": "지정된 파일을 찾을 수 없습니다.",  # unverified
    "bcdedit.file_in_use": "다른 프로세스가 파일을 사용 중이기 때문에 프로세스가 액세스 할 수 없습니다.",  # unverified
    "bcdedit.access_denied": "액세스가 거부되었습니다.",  # unverified
    "bcdedit.file_corrupt": "파일 또는 디렉터리가 손상되었으므로 읽을 수 없습니다.",  # unverified
    "bcdedit.not_a_registry_file": (  # unverified
        "시스템이 레지스트리에 파일을 로드하거나 복원하려고 했지만 지정한 파일이 레지스트리 파일 형식이 아닙니다."
    ),
    "bcdedit.label.identifier": "식별자",  # unverified (only a translated cloud doc shows it)
    "bcdedit.header.fwbootmgr": "펌웨어 부팅 관리자",  # unverified
    "bcdedit.header.bootmgr": "Windows 부팅 관리자",  # unverified
    "bcdedit.header.osloader": "Windows 부팅 로더",  # unverified
    "bcdedit.header.resume": "최대 절전 모드에서 다시 시작",  # unverified
    "bcdedit.header.memdiag": "Windows 메모리 테스터",  # unverified
    "bcdedit.header.ntldr": "Windows 레거시 OS 로더",  # unverified
    "bcdedit.header.bootsector": "리얼 모드 부팅 섹터",  # unverified
    "bcdedit.header.firmware_application": "펌웨어 응용 프로그램 ({type})",  # unverified
    "bcdedit.header.emssettings": "EMS 설정",  # unverified
    "bcdedit.header.dbgsettings": "디버거 설정",  # unverified
    "bcdedit.header.badmemory": "RAM 결함",  # unverified
    "bcdedit.header.globalsettings": "전역 설정",  # unverified
    "bcdedit.header.bootloadersettings": "부팅 로더 설정",  # unverified
    "bcdedit.header.hypervisorsettings": "하이퍼바이저 설정",  # unverified
    "bcdedit.header.resumeloadersettings": "다시 시작 로더 설정",  # unverified
    "bcdedit.header.inherited": "상속된 설정 ({type})",  # unverified
    "bcdedit.header.device_options": "장치 옵션",  # unverified
    "bcdedit.header.ramdisk_options": "설치 램디스크 옵션",  # unverified
}

_TEXTS: dict[str, dict[str, str]] = {
    "en-US": _EN_US,
    "sv-SE": _SV_SE,
    "nl-NL": _NL_NL,
    "zh-CN": _ZH_CN,
    "ja-JP": _JA_JP,
    "ko-KR": _KO_KR,
    "de-DE": _DE_DE,
}

# bcdedit's dash line is a resource string of its own: in real CJK captures it does not match the header's
# width (zh-CN 20 and 19 dashes, ja-JP 32). Where a capture shows the length it is used; elsewhere the header's
# display width (East Asian wide characters count two columns).
_UNDERLINE_LENGTHS: dict[tuple[str, str], int] = {
    ("zh-CN", "bcdedit.header.bootmgr"): 20,
    ("zh-CN", "bcdedit.header.osloader"): 19,
    ("ja-JP", "bcdedit.header.bootmgr"): 32,
    ("ja-JP", "bcdedit.header.osloader"): 32,
}


def text(language: str, key: str, **fmt: object) -> str:
    """The message `key` in `language`, formatted with `fmt`.

    KeyError for an unknown language or key: a missing translation must fail loudly, never fall back to English.
    """
    template = _TEXTS[language][key]
    return template.format(**fmt) if fmt else template


def keys(language: str) -> frozenset[str]:
    """Every key defined for `language` (for completeness checks)."""
    return frozenset(_TEXTS[language])


def display_width(value: str) -> int:
    """Console columns of `value`: East Asian wide and fullwidth characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in value)


def underline(language: str, key: str, **fmt: object) -> str:
    """The dash line bcdedit prints under the header `key`."""
    length = _UNDERLINE_LENGTHS.get((language, key))
    if length is None:
        length = display_width(text(language, key, **fmt))
    return "-" * length

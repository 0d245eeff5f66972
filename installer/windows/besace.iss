; Inno Setup 6.3+ script: the Besace installer for Windows (x64).
; Per-user by default (no administrator rights on managed laptops); an administrator may
; choose "all users" in the first dialog. Steps: installer/README.md.
;
;   iscc installer\windows\besace.iss
;
; Input: the PyInstaller folder dist\besace\ (Besace.exe, besace-cli.exe, _internal\).
; Output: dist\besace-<version>-windows-x64-setup.exe.
; The version is read from Besace.exe (written there by besace.spec from app.__version__);
; /DAppVersion=x.y.z overrides it. /DSign with /Sbesacesign=... signs setup and uninstaller.

#define AppName "Besace"
#define BundleDir AddBackslash(SourcePath) + "..\..\dist\besace"
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(BundleDir + "\Besace.exe", "ProductVersion")
#endif
#if AppVersion == ""
  #error No version: build dist\besace first (pyinstaller installer\besace.spec) or pass /DAppVersion=x.y.z
#endif

[Setup]
; Never change AppId: it is how Windows recognises an update of the same application.
AppId={{B6C8F4E4-2C60-47AF-A574-058EB0FF43B2}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Besace
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
UsedUserAreasWarning=no
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
ChangesAssociations=yes
CloseApplications=yes
SetupIconFile=..\icons\besace.ico
UninstallDisplayIcon={app}\Besace.exe
UninstallDisplayName={#AppName} {#AppVersion}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
OutputDir=..\..\dist
OutputBaseFilename=besace-{#AppVersion}-windows-x64-setup
#ifdef Sign
SignTool=besacesign
SignedUninstaller=yes
#endif

[Languages]
Name: "fr"; MessagesFile: "compiler:Languages\French.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
fr.AssociateTask=Ouvrir les projets Besace (.besace) avec Besace
en.AssociateTask=Open Besace projects (.besace) with Besace
fr.ProjectFileType=Projet Besace
en.ProjectFileType=Besace project
fr.IntegrationGroup=Intégration à Windows :
en.IntegrationGroup=Windows integration:

[Tasks]
Name: "association"; Description: "{cm:AssociateTask}"; GroupDescription: "{cm:IntegrationGroup}"
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; The previous version's program files only (a stale library must not outlive an update).
; Projects, settings (%APPDATA%\besace) and logs are never in {app}\_internal.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "..\icons\besace.ico"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\Besace.exe"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\Besace.exe"; Tasks: desktopicon

[Registry]
; The .besace file type, under HKCU\Software\Classes for a per-user install (HKA follows the
; install mode). Only our own keys are removed at uninstall; the .besace files stay.
Root: HKA; Subkey: "Software\Classes\.besace\OpenWithProgids"; ValueType: string; ValueName: "Besace.Project"; ValueData: ""; Flags: uninsdeletevalue; Tasks: association
Root: HKA; Subkey: "Software\Classes\Besace.Project"; ValueType: string; ValueName: ""; ValueData: "{cm:ProjectFileType}"; Flags: uninsdeletekey; Tasks: association
Root: HKA; Subkey: "Software\Classes\Besace.Project\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\besace.ico,0"; Tasks: association
Root: HKA; Subkey: "Software\Classes\Besace.Project\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\Besace.exe"" ""%1"""; Tasks: association
Root: HKA; Subkey: "Software\Classes\Applications\Besace.exe\SupportedTypes"; ValueType: string; ValueName: ".besace"; ValueData: ""; Flags: uninsdeletekey; Tasks: association

[Run]
Filename: "{app}\Besace.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete] section on purpose: the uninstaller removes only the files it
; installed. Projects (.besace files wherever the user keeps them), settings in
; %APPDATA%\besace and logs in %LOCALAPPDATA%\besace are left untouched.

using System.Net;

namespace Shop.Functions.Notifications;

/// <summary>How the SMTP sender secures its connection (MailKit's <c>SecureSocketOptions</c>).</summary>
public enum SmtpTlsMode
{
    /// <summary>Plain text, never TLS: only for a local test server such as MailDev.</summary>
    None,

    /// <summary>Plain connect, then STARTTLS, which the server must offer (submission, port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (implicit TLS, port 465).</summary>
    SslOnConnect,

    /// <summary>TLS on connect for port 465, else STARTTLS when the server offers it (plain text when it does not).</summary>
    Auto,
}

/// <summary>
/// The SMTP server that <see cref="SmtpEmailSender"/> hands customer e-mails to (<c>Email:Provider</c> = <c>Smtp</c>);
/// the sender address and name are <see cref="EmailOptions"/>'. Validated at start only when SMTP is the provider. In
/// Azure the password is a Key Vault reference (infra/app/keyvault.bicep), never a value in app settings.
/// </summary>
public sealed class SmtpOptions
{
    public const string SectionName = $"{EmailOptions.SectionName}:Smtp";

    public string Host { get; set; } = string.Empty;

    public int Port { get; set; } = 587;

    public SmtpTlsMode TlsMode { get; set; } = SmtpTlsMode.StartTls;

    /// <summary>The AUTH user; empty: no authentication.</summary>
    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>How long each SMTP step (connect, each command) may take before the attempt counts as failed (transient).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool Authenticates => !string.IsNullOrEmpty(UserName);

    /// <summary>The first problem with these settings, naming the setting; null when they are usable.</summary>
    public string? Problem()
    {
        if (string.IsNullOrWhiteSpace(Host) || Host.Any(char.IsWhiteSpace) || Uri.CheckHostName(Host) == UriHostNameType.Unknown)
        {
            return "Email:Smtp:Host must be the SMTP server's host name when Email:Provider is Smtp.";
        }

        if (Port is < 1 or > 65535)
        {
            return "Email:Smtp:Port must be between 1 and 65535.";
        }

        if (!Enum.IsDefined(TlsMode))
        {
            return $"Email:Smtp:TlsMode must be one of: {string.Join(", ", Enum.GetNames<SmtpTlsMode>())}.";
        }

        if (Authenticates != !string.IsNullOrEmpty(Password))
        {
            return "Email:Smtp:UserName and Email:Smtp:Password go together: set both, or neither for no authentication.";
        }

        if (Authenticates && TlsMode == SmtpTlsMode.None && !IsLoopback(Host))
        {
            return "Email:Smtp:TlsMode None would send Email:Smtp:Password in plain text: use StartTls or SslOnConnect (None is for a server on this machine).";
        }

        return Timeout < TimeSpan.FromSeconds(1) || Timeout > TimeSpan.FromMinutes(5)
            ? "Email:Smtp:Timeout must be between 00:00:01 and 00:05:00."
            : null;
    }

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
}

using Shop.Functions.Notifications;
using Xunit;

namespace Shop.Functions.Tests.Notifications;

public sealed class HeaderTextMailbox
{
    [Theory]
    [InlineData("Ada Lovelace", "\"Ada Lovelace\" <ada@example.com>")]
    [InlineData("Ada \"The Countess\" L\\", "\"Ada \\\"The Countess\\\" L\\\\\" <ada@example.com>")]
    [InlineData("", "ada@example.com")]
    [InlineData("\r\n", "ada@example.com")]
    [InlineData("Zoë", "=?utf-8?B?Wm/Dqw==?= <ada@example.com>")]
    [InlineData("=?utf-8?B?RXZl?=", "=?utf-8?B?PT91dGYtOD9CP1JYWmw/PQ==?= <ada@example.com>")]
    public void QuotesOrEncodesTheName(string name, string expected) =>
        Assert.Equal(expected, HeaderText.Mailbox(name, "ada@example.com"));

    [Theory]
    [InlineData("ada@example.com>\r\nBcc: eve@example.com")]
    [InlineData("Ada <ada@example.com>")]
    public void RefusesAnythingButOneAddress(string address) =>
        Assert.Throws<ArgumentException>(() => HeaderText.Mailbox("Ada", address));
}

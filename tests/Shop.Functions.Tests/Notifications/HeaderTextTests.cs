using Shop.Functions.Notifications;
using Xunit;

namespace Shop.Functions.Tests.Notifications;

public sealed class HeaderTextSingleLine
{
    [Theory]
    [InlineData("Ada Lovelace", "Ada Lovelace")]
    [InlineData("  Ada \t Lovelace  ", "Ada Lovelace")]
    [InlineData("Eve\r\nBcc: x@example.com", "Eve Bcc: x@example.com")]
    [InlineData("Eve\rTo: x\nCc: y", "Eve To: x Cc: y")]
    [InlineData("Eve\u2028Bcc: x\u2029Cc: y\u0085Z", "Eve Bcc: x Cc: y Z")]
    [InlineData("Nul\0and\u001bescape", "Nul and escape")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void KeepsTextOnOneLine(string? text, string expected) => Assert.Equal(expected, HeaderText.SingleLine(text));

    [Fact]
    public void ReplacesAnUnpairedSurrogate() => Assert.Equal("a\uFFFDb", HeaderText.SingleLine("a\uD800b"));

    [Fact]
    public void CutsAtTheLimitWithoutSplittingASurrogatePair() =>
        Assert.Equal("ab", HeaderText.SingleLine("ab😀", maxLength: 3));
}

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

public sealed class HeaderTextUnstructured
{
    [Fact]
    public void FoldsLongTextIntoEncodedWordsOfAtMost75Characters()
    {
        var subject = string.Concat(Enumerable.Repeat("Grüße ", 30));

        var header = HeaderText.Unstructured(subject);

        var words = header.Split("\r\n ");
        Assert.True(words.Length > 1);
        Assert.All(words, word => Assert.Matches(@"^=\?utf-8\?B\?[A-Za-z0-9+/=]+\?=$", word));
        Assert.All(words, word => Assert.InRange(word.Length, 1, 75));
    }
}

using Shop.Functions.Notifications;
using Xunit;

namespace Shop.Functions.Tests.Notifications;

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

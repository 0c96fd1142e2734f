using System.Globalization;
using System.Text;
using Shop.Functions.Messaging;

namespace Shop.Functions.Tests.EndToEnd.Harness;

/// <summary>
/// The part of Service Bus's SQL filter language that the emulator config's subscription rules use: identifiers
/// (application properties, <c>sys.Label</c>, <c>sys.MessageId</c>, <c>sys.CorrelationId</c>), string and integer
/// literals, <c>=</c>, <c>&lt;&gt;</c>, <c>IS [NOT] NULL</c>, <c>AND</c>, <c>OR</c>, <c>NOT</c> and parentheses. Anything
/// else is refused when the rule is read, so a rule this harness cannot honour fails loudly instead of matching wrongly.
/// </summary>
public sealed class SqlFilter
{
    private readonly Func<OutgoingMessage, bool> _matches;

    private SqlFilter(string expression, Func<OutgoingMessage, bool> matches)
    {
        Expression = expression;
        _matches = matches;
    }

    public string Expression { get; }

    public static SqlFilter TrueFilter { get; } = new("1=1", _ => true);

    public bool Matches(OutgoingMessage message) => _matches(message);

    public static SqlFilter Parse(string expression)
    {
        var parser = new Parser(Tokenize(expression), expression);
        var predicate = parser.Or();
        parser.ExpectEnd();
        return new SqlFilter(expression, predicate);
    }

    /// <summary>A property as a filter sees it: system properties by their <c>sys.</c> names, the rest by name.</summary>
    private static object? Property(OutgoingMessage message, string name) => name.ToLowerInvariant() switch
    {
        "sys.label" => message.Subject,
        "sys.messageid" => message.MessageId,
        "sys.correlationid" => message.CorrelationId,
        "sys.contenttype" => message.ContentType,
        _ when name.StartsWith("sys.", StringComparison.OrdinalIgnoreCase) => throw new NotSupportedException($"System property {name} is not modelled."),
        _ => message.ApplicationProperties?.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value,
    };

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')' or '=')
            {
                tokens.Add(c.ToString());
                i++;
            }
            else if (c == '<' && i + 1 < text.Length && text[i + 1] == '>')
            {
                tokens.Add("<>");
                i += 2;
            }
            else if (c == '\'')
            {
                var literal = new StringBuilder("'");
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new FormatException($"Unterminated string in filter '{text}'.");
                    }

                    if (text[i] == '\'' && i + 1 < text.Length && text[i + 1] == '\'')
                    {
                        literal.Append('\'');
                        i += 2;
                    }
                    else if (text[i] == '\'')
                    {
                        i++;
                        break;
                    }
                    else
                    {
                        literal.Append(text[i++]);
                    }
                }

                tokens.Add(literal.ToString());
            }
            else if (char.IsLetterOrDigit(c) || c is '_' or '.')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '.'))
                {
                    i++;
                }

                tokens.Add(text[start..i]);
            }
            else
            {
                throw new FormatException($"Unsupported character '{c}' in filter '{text}'.");
            }
        }

        return tokens;
    }

    private sealed class Parser(List<string> tokens, string text)
    {
        private int _next;

        public Func<OutgoingMessage, bool> Or()
        {
            var left = And();
            while (Accept("OR"))
            {
                var (l, r) = (left, And());
                left = m => l(m) || r(m);
            }

            return left;
        }

        public void ExpectEnd()
        {
            if (_next < tokens.Count)
            {
                throw new FormatException($"Unexpected '{tokens[_next]}' in filter '{text}'.");
            }
        }

        private Func<OutgoingMessage, bool> And()
        {
            var left = Not();
            while (Accept("AND"))
            {
                var (l, r) = (left, Not());
                left = m => l(m) && r(m);
            }

            return left;
        }

        private Func<OutgoingMessage, bool> Not()
        {
            if (Accept("NOT"))
            {
                var inner = Not();
                return m => !inner(m);
            }

            if (Accept("("))
            {
                var inner = Or();
                Expect(")");
                return inner;
            }

            return Comparison();
        }

        private Func<OutgoingMessage, bool> Comparison()
        {
            var left = Operand();
            if (Accept("IS"))
            {
                var negated = Accept("NOT");
                Expect("NULL");
                return m => (left(m) is null) != negated;
            }

            var equal = Accept("=");
            if (!equal && !Accept("<>"))
            {
                throw new FormatException($"Expected a comparison at token {_next} of filter '{text}'.");
            }

            var right = Operand();
            // SQL's three-valued logic: a comparison with NULL is unknown, which a filter treats as false.
            return m => left(m) is { } a && right(m) is { } b && (Text(a) == Text(b)) == equal;
        }

        private Func<OutgoingMessage, object?> Operand()
        {
            var token = Take();
            if (token.StartsWith('\''))
            {
                var literal = token[1..];
                return _ => literal;
            }

            if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                return _ => number;
            }

            return m => Property(m, token);
        }

        private static string Text(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;

        private string Take() =>
            _next < tokens.Count ? tokens[_next++] : throw new FormatException($"Filter '{text}' ends too early.");

        private bool Accept(string keyword)
        {
            if (_next < tokens.Count && string.Equals(tokens[_next], keyword, StringComparison.OrdinalIgnoreCase))
            {
                _next++;
                return true;
            }

            return false;
        }

        private void Expect(string keyword)
        {
            if (!Accept(keyword))
            {
                throw new FormatException($"Expected {keyword} at token {_next} of filter '{text}'.");
            }
        }
    }
}

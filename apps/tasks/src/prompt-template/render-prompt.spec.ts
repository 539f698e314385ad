import { isDomainError } from '@baton/events';
import { checkPlaceholders, placeholdersOf, renderPrompt, type PromptTaskContext } from './render-prompt';

const task: PromptTaskContext = {
  id: 't1',
  number: 7,
  title: '$(rm -rf ~)',
  description: 'Make {{style}} configurable',
  acceptanceCriteria: ['tests pass', 'docs updated'],
  priority: 1,
  labels: ['api', 'auth'],
  executionMode: 'autonomous',
};

describe(renderPrompt.name, () => {
  it('substitutes built-in task variables and declared ones as plain text, in one pass', () => {
    const out = renderPrompt(
      { body: '# {{ task.title }} (#{{task.number}}, {{task.priority}})\n{{task.description}}\n{{task.acceptance_criteria}}\nLabels: {{task.labels}}. Style: {{style}}.', variables: [{ name: 'style', description: '', default: 'terse' }] },
      task,
    );
    expect(out).toBe('# $(rm -rf ~) (#7, P1)\nMake {{style}} configurable\n- tests pass\n- docs updated\nLabels: api, auth. Style: terse.');
  });

  it('prefers a given value over the default', () => {
    expect(renderPrompt({ body: '{{style}}', variables: [{ name: 'style', description: '', default: 'terse' }] }, task, { style: 'chatty' })).toBe('chatty');
  });

  it('refuses a variable without value or default, naming it', () => {
    let error: unknown;
    try {
      renderPrompt({ body: 'Use {{tone}}', variables: [{ name: 'tone', description: '', default: null }] }, task);
    } catch (e) {
      error = e;
    }
    expect(isDomainError(error) && error.code).toBe('validation');
    expect(isDomainError(error) && error.message).toMatch(/"tone" has no value/);
    expect(isDomainError(error) && error.details).toEqual({ variables: ['tone'] });
  });

  it('refuses values for variables the template does not declare', () => {
    expect(() => renderPrompt({ body: 'x', variables: [] }, task, { constructor: 'y' })).toThrow(/declares no variable "constructor"/);
  });

  it('does not treat object prototype names as variables', () => {
    expect(() => checkPlaceholders('{{constructor}}', [])).toThrow(/undeclared variable "constructor"/);
    expect(placeholdersOf('{{ a }} {{a}} {{b.c}} {{ Bad }}')).toEqual(['a', 'b.c']);
  });
});

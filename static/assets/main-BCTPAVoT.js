(function(){let e=document.createElement(`link`).relList;if(e&&e.supports&&e.supports(`modulepreload`))return;for(let e of document.querySelectorAll(`link[rel="modulepreload"]`))n(e);new MutationObserver(e=>{for(let t of e)if(t.type===`childList`)for(let e of t.addedNodes)e.tagName===`LINK`&&e.rel===`modulepreload`&&n(e)}).observe(document,{childList:!0,subtree:!0});function t(e){let t={};return e.integrity&&(t.integrity=e.integrity),e.referrerPolicy&&(t.referrerPolicy=e.referrerPolicy),t.credentials=e.crossOrigin===`use-credentials`?`include`:e.crossOrigin===`anonymous`?`omit`:`same-origin`,t}function n(e){if(e.ep)return;e.ep=!0;let n=t(e);fetch(e.href,n)}})();var e=globalThis,t=e.ShadowRoot&&(e.ShadyCSS===void 0||e.ShadyCSS.nativeShadow)&&`adoptedStyleSheets`in Document.prototype&&`replace`in CSSStyleSheet.prototype,n=Symbol(),r=new WeakMap,i=class{constructor(e,t,r){if(this._$cssResult$=!0,r!==n)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,n=this.t;if(t&&e===void 0){let t=n!==void 0&&n.length===1;t&&(e=r.get(n)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),t&&r.set(n,e))}return e}toString(){return this.cssText}},a=e=>new i(typeof e==`string`?e:e+``,void 0,n),o=(e,...t)=>new i(e.length===1?e[0]:t.reduce((t,n,r)=>t+(e=>{if(!0===e._$cssResult$)return e.cssText;if(typeof e==`number`)return e;throw Error(`Value passed to 'css' function must be a 'css' function result: `+e+`. Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.`)})(n)+e[r+1],e[0]),e,n),s=(n,r)=>{if(t)n.adoptedStyleSheets=r.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let t of r){let r=document.createElement(`style`),i=e.litNonce;i!==void 0&&r.setAttribute(`nonce`,i),r.textContent=t.cssText,n.appendChild(r)}},c=t?e=>e:e=>e instanceof CSSStyleSheet?(e=>{let t=``;for(let n of e.cssRules)t+=n.cssText;return a(t)})(e):e,{is:l,defineProperty:u,getOwnPropertyDescriptor:d,getOwnPropertyNames:f,getOwnPropertySymbols:p,getPrototypeOf:m}=Object,h=globalThis,g=h.trustedTypes,_=g?g.emptyScript:``,ee=h.reactiveElementPolyfillSupport,v=(e,t)=>e,y={toAttribute(e,t){switch(t){case Boolean:e=e?_:null;break;case Object:case Array:e=e==null?e:JSON.stringify(e)}return e},fromAttribute(e,t){let n=e;switch(t){case Boolean:n=e!==null;break;case Number:n=e===null?null:Number(e);break;case Object:case Array:try{n=JSON.parse(e)}catch{n=null}}return n}},b=(e,t)=>!l(e,t),te={attribute:!0,type:String,converter:y,reflect:!1,useDefault:!1,hasChanged:b};Symbol.metadata??=Symbol(`metadata`),h.litPropertyMetadata??=new WeakMap;var x=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=te){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let n=Symbol(),r=this.getPropertyDescriptor(e,n,t);r!==void 0&&u(this.prototype,e,r)}}static getPropertyDescriptor(e,t,n){let{get:r,set:i}=d(this.prototype,e)??{get(){return this[t]},set(e){this[t]=e}};return{get:r,set(t){let a=r?.call(this);i?.call(this,t),this.requestUpdate(e,a,n)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??te}static _$Ei(){if(this.hasOwnProperty(v(`elementProperties`)))return;let e=m(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(v(`finalized`)))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(v(`properties`))){let e=this.properties,t=[...f(e),...p(e)];for(let n of t)this.createProperty(n,e[n])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[e,n]of t)this.elementProperties.set(e,n)}this._$Eh=new Map;for(let[e,t]of this.elementProperties){let n=this._$Eu(e,t);n!==void 0&&this._$Eh.set(n,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let n=new Set(e.flat(1/0).reverse());for(let e of n)t.unshift(c(e))}else e!==void 0&&t.push(c(e));return t}static _$Eu(e,t){let n=t.attribute;return!1===n?void 0:typeof n==`string`?n:typeof e==`string`?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let n of t.keys())this.hasOwnProperty(n)&&(e.set(n,this[n]),delete this[n]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return s(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,n){this._$AK(e,n)}_$ET(e,t){let n=this.constructor.elementProperties.get(e),r=this.constructor._$Eu(e,n);if(r!==void 0&&!0===n.reflect){let i=(n.converter?.toAttribute===void 0?y:n.converter).toAttribute(t,n.type);this._$Em=e,i==null?this.removeAttribute(r):this.setAttribute(r,i),this._$Em=null}}_$AK(e,t){let n=this.constructor,r=n._$Eh.get(e);if(r!==void 0&&this._$Em!==r){let e=n.getPropertyOptions(r),i=typeof e.converter==`function`?{fromAttribute:e.converter}:e.converter?.fromAttribute===void 0?y:e.converter;this._$Em=r;let a=i.fromAttribute(t,e.type);this[r]=a??this._$Ej?.get(r)??a,this._$Em=null}}requestUpdate(e,t,n,r=!1,i){if(e!==void 0){let a=this.constructor;if(!1===r&&(i=this[e]),n??=a.getPropertyOptions(e),!((n.hasChanged??b)(i,t)||n.useDefault&&n.reflect&&i===this._$Ej?.get(e)&&!this.hasAttribute(a._$Eu(e,n))))return;this.C(e,t,n)}!1===this.isUpdatePending&&(this._$ES=this._$EP())}C(e,t,{useDefault:n,reflect:r,wrapped:i},a){n&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,a??t??this[e]),!0!==i||a!==void 0)||(this._$AL.has(e)||(this.hasUpdated||n||(t=void 0),this._$AL.set(e,t)),!0===r&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[e,t]of this._$Ep)this[e]=t;this._$Ep=void 0}let e=this.constructor.elementProperties;if(e.size>0)for(let[t,n]of e){let{wrapped:e}=n,r=this[t];!0!==e||this._$AL.has(t)||r===void 0||this.C(t,void 0,n,r)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(e=>e.hostUpdate?.()),this.update(t)):this._$EM()}catch(t){throw e=!1,this._$EM(),t}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(e=>this._$ET(e,this[e])),this._$EM()}updated(e){}firstUpdated(e){}};x.elementStyles=[],x.shadowRootOptions={mode:`open`},x[v(`elementProperties`)]=new Map,x[v(`finalized`)]=new Map,ee?.({ReactiveElement:x}),(h.reactiveElementVersions??=[]).push(`2.1.2`);var S=globalThis,ne=e=>e,re=S.trustedTypes,ie=re?re.createPolicy(`lit-html`,{createHTML:e=>e}):void 0,ae=`$lit$`,C=`lit$${Math.random().toFixed(9).slice(2)}$`,oe=`?`+C,se=`<${oe}>`,w=document,T=()=>w.createComment(``),E=e=>e===null||typeof e!=`object`&&typeof e!=`function`,ce=Array.isArray,le=e=>ce(e)||typeof e?.[Symbol.iterator]==`function`,ue=`[ 	
\f\r]`,D=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,de=/-->/g,fe=/>/g,O=RegExp(`>|${ue}(?:([^\\s"'>=/]+)(${ue}*=${ue}*(?:[^ \t\n\f\r"'\`<>=]|("|')|))|$)`,`g`),pe=/'/g,me=/"/g,he=/^(?:script|style|textarea|title)$/i,ge=e=>(t,...n)=>({_$litType$:e,strings:t,values:n}),k=ge(1),A=ge(2),j=Symbol.for(`lit-noChange`),M=Symbol.for(`lit-nothing`),_e=new WeakMap,N=w.createTreeWalker(w,129);function ve(e,t){if(!ce(e)||!e.hasOwnProperty(`raw`))throw Error(`invalid template strings array`);return ie===void 0?t:ie.createHTML(t)}var ye=(e,t)=>{let n=e.length-1,r=[],i,a=t===2?`<svg>`:t===3?`<math>`:``,o=D;for(let t=0;t<n;t++){let n=e[t],s,c,l=-1,u=0;for(;u<n.length&&(o.lastIndex=u,c=o.exec(n),c!==null);)u=o.lastIndex,o===D?c[1]===`!--`?o=de:c[1]===void 0?c[2]===void 0?c[3]!==void 0&&(o=O):(he.test(c[2])&&(i=RegExp(`</`+c[2],`g`)),o=O):o=fe:o===O?c[0]===`>`?(o=i??D,l=-1):c[1]===void 0?l=-2:(l=o.lastIndex-c[2].length,s=c[1],o=c[3]===void 0?O:c[3]===`"`?me:pe):o===me||o===pe?o=O:o===de||o===fe?o=D:(o=O,i=void 0);let d=o===O&&e[t+1].startsWith(`/>`)?` `:``;a+=o===D?n+se:l>=0?(r.push(s),n.slice(0,l)+ae+n.slice(l)+C+d):n+C+(l===-2?t:d)}return[ve(e,a+(e[n]||`<?>`)+(t===2?`</svg>`:t===3?`</math>`:``)),r]},be=class e{constructor({strings:t,_$litType$:n},r){let i;this.parts=[];let a=0,o=0,s=t.length-1,c=this.parts,[l,u]=ye(t,n);if(this.el=e.createElement(l,r),N.currentNode=this.el.content,n===2||n===3){let e=this.el.content.firstChild;e.replaceWith(...e.childNodes)}for(;(i=N.nextNode())!==null&&c.length<s;){if(i.nodeType===1){if(i.hasAttributes())for(let e of i.getAttributeNames())if(e.endsWith(ae)){let t=u[o++],n=i.getAttribute(e).split(C),r=/([.?@])?(.*)/.exec(t);c.push({type:1,index:a,name:r[2],strings:n,ctor:r[1]===`.`?we:r[1]===`?`?Te:r[1]===`@`?Ee:Ce}),i.removeAttribute(e)}else e.startsWith(C)&&(c.push({type:6,index:a}),i.removeAttribute(e));if(he.test(i.tagName)){let e=i.textContent.split(C),t=e.length-1;if(t>0){i.textContent=re?re.emptyScript:``;for(let n=0;n<t;n++)i.append(e[n],T()),N.nextNode(),c.push({type:2,index:++a});i.append(e[t],T())}}}else if(i.nodeType===8){if(i.data===oe)c.push({type:2,index:a});else{let e=-1;for(;(e=i.data.indexOf(C,e+1))!==-1;)c.push({type:7,index:a}),e+=C.length-1}}a++}}static createElement(e,t){let n=w.createElement(`template`);return n.innerHTML=e,n}};function P(e,t,n=e,r){if(t===j)return t;let i=r===void 0?n._$Cl:n._$Co?.[r],a=E(t)?void 0:t._$litDirective$;return i?.constructor!==a&&(i?._$AO?.(!1),a===void 0?i=void 0:(i=new a(e),i._$AT(e,n,r)),r===void 0?n._$Cl=i:(n._$Co??=[])[r]=i),i!==void 0&&(t=P(e,i._$AS(e,t.values),i,r)),t}var xe=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:n}=this._$AD,r=(e?.creationScope??w).importNode(t,!0);N.currentNode=r;let i=N.nextNode(),a=0,o=0,s=n[0];for(;s!==void 0;){if(a===s.index){let t;s.type===2?t=new Se(i,i.nextSibling,this,e):s.type===1?t=new s.ctor(i,s.name,s.strings,this,e):s.type===6&&(t=new De(i,this,e)),this._$AV.push(t),s=n[++o]}a!==s?.index&&(i=N.nextNode(),a++)}return N.currentNode=w,r}p(e){let t=0;for(let n of this._$AV)n!==void 0&&(n.strings===void 0?n._$AI(e[t]):(n._$AI(e,n,t),t+=n.strings.length-2)),t++}},Se=class e{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,n,r){this.type=2,this._$AH=M,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=n,this.options=r,this._$Cv=r?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=P(this,e,t),E(e)?e===M||e==null||e===``?(this._$AH!==M&&this._$AR(),this._$AH=M):e!==this._$AH&&e!==j&&this._(e):e._$litType$===void 0?e.nodeType===void 0?le(e)?this.k(e):this._(e):this.T(e):this.$(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==M&&E(this._$AH)?this._$AA.nextSibling.data=e:this.T(w.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:n}=e,r=typeof n==`number`?this._$AC(e):(n.el===void 0&&(n.el=be.createElement(ve(n.h,n.h[0]),this.options)),n);if(this._$AH?._$AD===r)this._$AH.p(t);else{let e=new xe(r,this),n=e.u(this.options);e.p(t),this.T(n),this._$AH=e}}_$AC(e){let t=_e.get(e.strings);return t===void 0&&_e.set(e.strings,t=new be(e)),t}k(t){ce(this._$AH)||(this._$AH=[],this._$AR());let n=this._$AH,r,i=0;for(let a of t)i===n.length?n.push(r=new e(this.O(T()),this.O(T()),this,this.options)):r=n[i],r._$AI(a),i++;i<n.length&&(this._$AR(r&&r._$AB.nextSibling,i),n.length=i)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let t=ne(e).nextSibling;ne(e).remove(),e=t}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},Ce=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,n,r,i){this.type=1,this._$AH=M,this._$AN=void 0,this.element=e,this.name=t,this._$AM=r,this.options=i,n.length>2||n[0]!==``||n[1]!==``?(this._$AH=Array(n.length-1).fill(new String),this.strings=n):this._$AH=M}_$AI(e,t=this,n,r){let i=this.strings,a=!1;if(i===void 0)e=P(this,e,t,0),a=!E(e)||e!==this._$AH&&e!==j,a&&(this._$AH=e);else{let r=e,o,s;for(e=i[0],o=0;o<i.length-1;o++)s=P(this,r[n+o],t,o),s===j&&(s=this._$AH[o]),a||=!E(s)||s!==this._$AH[o],s===M?e=M:e!==M&&(e+=(s??``)+i[o+1]),this._$AH[o]=s}a&&!r&&this.j(e)}j(e){e===M?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??``)}},we=class extends Ce{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===M?void 0:e}},Te=class extends Ce{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==M)}},Ee=class extends Ce{constructor(e,t,n,r,i){super(e,t,n,r,i),this.type=5}_$AI(e,t=this){if((e=P(this,e,t,0)??M)===j)return;let n=this._$AH,r=e===M&&n!==M||e.capture!==n.capture||e.once!==n.once||e.passive!==n.passive,i=e!==M&&(n===M||r);r&&this.element.removeEventListener(this.name,this,n),i&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH==`function`?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},De=class{constructor(e,t,n){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=n}get _$AU(){return this._$AM._$AU}_$AI(e){P(this,e)}},Oe={M:ae,P:C,A:oe,C:1,L:ye,R:xe,D:le,V:P,I:Se,H:Ce,N:Te,U:Ee,B:we,F:De},ke=S.litHtmlPolyfillSupport;ke?.(be,Se),(S.litHtmlVersions??=[]).push(`3.3.3`);var Ae=(e,t,n)=>{let r=n?.renderBefore??t,i=r._$litPart$;if(i===void 0){let e=n?.renderBefore??null;r._$litPart$=i=new Se(t.insertBefore(T(),e),e,void 0,n??{})}return i._$AI(e),i},je=globalThis,F=class extends x{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=Ae(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return j}};F._$litElement$=!0,F.finalized=!0,je.litElementHydrateSupport?.({LitElement:F});var Me=je.litElementPolyfillSupport;Me?.({LitElement:F}),(je.litElementVersions??=[]).push(`4.2.2`);var I=e=>(t,n)=>{n===void 0?customElements.define(e,t):n.addInitializer(()=>{customElements.define(e,t)})},Ne={attribute:!0,type:String,converter:y,reflect:!1,hasChanged:b},Pe=(e=Ne,t,n)=>{let{kind:r,metadata:i}=n,a=globalThis.litPropertyMetadata.get(i);if(a===void 0&&globalThis.litPropertyMetadata.set(i,a=new Map),r===`setter`&&((e=Object.create(e)).wrapped=!0),a.set(n.name,e),r===`accessor`){let{name:r}=n;return{set(n){let i=t.get.call(this);t.set.call(this,n),this.requestUpdate(r,i,e,!0,n)},init(t){return t!==void 0&&this.C(r,void 0,e,t),t}}}if(r===`setter`){let{name:r}=n;return function(n){let i=this[r];t.call(this,n),this.requestUpdate(r,i,e,!0,n)}}throw Error(`Unsupported decorator location: `+r)};function L(e){return(t,n)=>typeof n==`object`?Pe(e,t,n):((e,t,n)=>{let r=t.hasOwnProperty(n);return t.constructor.createProperty(n,e),r?Object.getOwnPropertyDescriptor(t,n):void 0})(e,t,n)}function R(e){return L({...e,state:!0,attribute:!1})}function z(e,t,n,r){var i=arguments.length,a=i<3?t:r===null?r=Object.getOwnPropertyDescriptor(t,n):r,o;if(typeof Reflect==`object`&&typeof Reflect.decorate==`function`)a=Reflect.decorate(e,t,n,r);else for(var s=e.length-1;s>=0;s--)(o=e[s])&&(a=(i<3?o(a):i>3?o(t,n,a):o(t,n))||a);return i>3&&a&&Object.defineProperty(t,n,a),a}var Fe=class{constructor(e,t,n=0){this.store=e,this.url=t,this.initialStep=n,this.live=!1,this.sessionId=null}async start(){let e=await fetch(this.url);if(!e.ok)throw Error(`could not load ${this.url}: ${e.status}`);this.load(await e.json())}load(e){if(e.format!==`virtio-viz-trace`||e.version!==1)throw Error(`this file is not a virtio-viz trace (version 1)`);this.store.reset(e);for(let t of e.keyframes)this.store.addBase(t.step,t.state,t.memory);this.store.addFrames(e.steps),this.store.setStep(this.initialStep)}seek(e){this.store.setStep(e)}play(){}pause(){}act(){this.store.error=`Actions need the live server; this is a recorded trace.`,this.store.changed()}close(){}},Ie=class{constructor(e,t,n){this.store=e,this.url=t,this.request=n,this.live=!0,this.sessionId=null,this.socket=null,this.ready=null}start(){return this.ready=new Promise((e,t)=>{let n=new WebSocket(this.url);this.socket=n,n.addEventListener(`open`,()=>this.send(this.hello())),n.addEventListener(`error`,()=>t(Error(`the live server could not be reached`))),n.addEventListener(`message`,t=>{this.receive(JSON.parse(String(t.data))),e()}),n.addEventListener(`close`,()=>{this.store.error??=`The connection to the server closed.`,this.store.changed()})}),this.ready}hello(){let e=this.request;return e.room?{type:`join`,version:1,room:e.room,token:e.token??null}:e.session?{type:`resume`,version:1,session:e.session}:{type:`open`,version:1,scenario:e.scenario??`qemu-emulated`,options:e.options??{},step:e.step??0,actions:e.actions??[],seed:0}}send(e){this.socket?.readyState===WebSocket.OPEN&&this.socket.send(JSON.stringify(e))}receive(e){let t=this.store;switch(e.type){case`opened`:{let n=e.snapshot;this.sessionId=e.session,t.role=e.role,t.error=null,t.reset(e.header,e.actions),t.addBase(n.step,n.state,n.memory);break}case`snapshot`:t.addBase(e.step,e.state,e.memory);break;case`position`:t.addFrames(e.frames??[]),t.playing=e.playing,t.setStep(e.step),t.changed();break;case`error`:t.error=`${e.message}${e.field?` (${e.field})`:``}`,t.changed()}}seek(e){let t=Math.max(0,Math.min(e,this.store.length-1));t===this.store.step+1?this.send({type:`step`,count:1}):t===this.store.step-1?this.send({type:`back`,count:1}):this.send({type:`seek`,step:t}),this.store.has(t)&&this.store.setStep(t)}play(e){this.send({type:`play`,speed:e})}pause(){this.send({type:`pause`})}act(e,t){this.send({type:`act`,action:{kind:e,params:t}})}close(){this.socket?.close()}},Le=class e{constructor(){this.runs=[]}static from(t){let n=new e;for(let e of t)n.write(e.addr,Re(e.hex));return n}clone(){let t=new e;return t.runs=this.runs.map(e=>({addr:e.addr,bytes:e.bytes.slice()})),t}write(e,t){if(t.length===0)return;let n=e+t.length,r=this.runs.filter(t=>t.addr<=n&&t.addr+t.bytes.length>=e),i=Math.min(e,...r.map(e=>e.addr)),a=Math.max(n,...r.map(e=>e.addr+e.bytes.length)),o=new Uint8Array(a-i);for(let e of r)o.set(e.bytes,e.addr-i);o.set(t,e-i),this.runs=this.runs.filter(e=>!r.includes(e)),this.runs.push({addr:i,bytes:o}),this.runs.sort((e,t)=>e.addr-t.addr)}read(e,t){let n=new Uint8Array(t);for(let r of this.runs){let i=Math.max(r.addr,e),a=Math.min(r.addr+r.bytes.length,e+t);i<a&&n.set(r.bytes.subarray(i-r.addr,a-r.addr),i-e)}return n}u16(e){let t=this.read(e,2);return t[0]|t[1]<<8}u32(e){let t=this.read(e,4);return(t[0]|t[1]<<8|t[2]<<16)+t[3]*16777216}u64(e){return this.u32(e)+this.u32(e+4)*4294967296}get runCount(){return this.runs.length}};function Re(e){let t=new Uint8Array(e.length/2);for(let n=0;n<t.length;n++)t[n]=parseInt(e.slice(2*n,2*n+2),16);return t}function ze(e,t){let{queues:n,...r}=t,i={...e,...r};if(n){let t=new Map(e.queues.map(e=>[e.index,e]));for(let e of n)t.set(e.index,e);i.queues=[...t.values()].sort((e,t)=>e.index-t.index)}return i}var Be=class extends EventTarget{constructor(...e){super(...e),this.header=null,this.actions=[],this.step=0,this.playing=!1,this.speed=4,this.role=`solo`,this.error=null,this.frames=new Map,this.bases=new Map,this.last=null,this.violationCache=null}get length(){return this.header?.step_count??0}reset(e,t=[]){this.header=e,this.actions=t,this.frames.clear(),this.violationCache=null,this.bases.clear(),this.last=null,this.changed()}addBase(e,t,n){this.bases.set(e,{state:t,memory:Le.from(n)}),this.last&&this.last.step>=e&&(this.last=null)}addFrames(e){for(let t of e)this.frames.set(t.index,t);let t=this.last;t&&e.some(e=>e.index<=t.step)&&(this.last=null)}frame(e){return this.frames.get(e)}has(e){return this.baseFor(e)!==null}setStep(e){let t=Math.max(0,Math.min(e,this.length-1));(t!==this.step||this.last?.step!==t)&&(this.step=t,this.changed())}changed(){this.dispatchEvent(new Event(`change`))}baseFor(e){let t=null;for(let n of this.bases.keys())n<=e&&(t===null||n>t)&&(t=n);if(t===null)return null;for(let n=t+1;n<=e;n++)if(!this.frames.has(n))return null;return t}view(e=this.step){if(this.last&&this.last.step===e)return this.last;let t=this.baseFor(e);if(t===null)return null;let n;if(this.last&&this.last.step<e&&this.last.step>=t)n={...this.last,memory:this.last.memory.clone()};else{let e=this.bases.get(t);n={step:t,state:e.state,memory:e.memory.clone(),frame:this.frames.get(t)}}let{state:r}=n;for(let t=n.step+1;t<=e;t++){let e=this.frames.get(t);r=ze(r,e.changes);for(let t of e.memory)n.memory.write(t.addr,Re(t.hex))}return this.last={step:e,state:r,memory:n.memory,frame:this.frames.get(e)},this.last}statusHistory(e=this.step){let t=[];for(let n=0;n<=e;n++){let e=this.frames.get(n)?.changes.status;e&&t[t.length-1]!==e.value&&t.push(e.value)}return t}violationSteps(){if(this.violationCache?.count!==this.frames.size){let e=[...this.frames.values()].filter(e=>e.event.rule!==null).map(e=>e.index).sort((e,t)=>e-t);this.violationCache={count:this.frames.size,steps:e}}return this.violationCache.steps}chapterAt(e=this.step){let t=(this.header?.chapters??[]).findIndex(t=>e>=t.first_step&&e<t.first_step+t.step_count);return Math.max(0,t)}},Ve=o`
  :host {
    --vv-bg: #0f1419; --vv-panel: #161c23; --vv-panel-2: #1d252e; --vv-line: #2c3743;
    --vv-text: #e6edf3; --vv-muted: #9aa7b4; --vv-accent: #56b4e9;
    --vv-control: #cc79a7; --vv-data: #56b4e9; --vv-notification: #e69f00;
    --vv-active: #009e73; --vv-violation: #d55e00; --vv-changed: rgba(240, 228, 66, 0.28);
    --vv-focus: rgba(86, 180, 233, 0.35);
    --vv-font: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
    --vv-mono: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
    --vv-size: clamp(13px, 9px + 0.35vw, 17px);
    color: var(--vv-text); font-family: var(--vv-font); font-size: var(--vv-size);
  }
  :host([theme="light"]) {
    --vv-bg: #f7f8fa; --vv-panel: #ffffff; --vv-panel-2: #eef1f5; --vv-line: #d0d7de;
    --vv-text: #1f2328; --vv-muted: #59636e; --vv-accent: #0072b2;
    --vv-control: #a4487e; --vv-data: #0072b2; --vv-notification: #b07300;
    --vv-changed: rgba(240, 228, 66, 0.55); --vv-focus: rgba(0, 114, 178, 0.2);
  }
  :host([theme="projector"]) {
    --vv-bg: #000; --vv-panel: #0a0a0a; --vv-panel-2: #141414; --vv-line: #555;
    --vv-text: #fff; --vv-muted: #ddd; --vv-size: 20px;
  }
`,B=o`
  :host { color: var(--vv-text); }
  .mono { font-family: var(--vv-mono); }
  .muted { color: var(--vv-muted); }
  .panel { background: var(--vv-panel); border: 1px solid var(--vv-line); border-radius: 8px; }
  h2 { font-size: 0.8em; text-transform: uppercase; letter-spacing: 0.08em; color: var(--vv-muted); margin: 0 0 6px; font-weight: 600; }
  button, select, input { font: inherit; color: inherit; }
  button { background: var(--vv-panel-2); border: 1px solid var(--vv-line); border-radius: 6px; padding: 4px 10px; cursor: pointer; }
  button:hover { border-color: var(--vv-accent); }
  button:focus-visible, select:focus-visible, input:focus-visible, [tabindex]:focus-visible { outline: 2px solid var(--vv-accent); outline-offset: 2px; }
  select { max-width: 100%; background: var(--vv-panel-2); border: 1px solid var(--vv-line); border-radius: 6px; padding: 3px 6px; }
`,V={control:`var(--vv-control)`,data:`var(--vv-data)`,notification:`var(--vv-notification)`},He=[`transport`,`ring`,`queue_size`,`event_idx`,`initial_index`];function Ue(e){let t=new URLSearchParams(e),n={};for(let e of He){let r=t.get(e);r!==null&&(n[e]=e===`event_idx`?r!==`0`&&r!==`false`:e===`queue_size`||e===`initial_index`?Number(r):r)}let r=Number(t.get(`step`)??`1`);return{src:t.get(`src`),scenario:t.get(`scenario`)??`qemu-emulated`,step:Number.isFinite(r)&&r>=1?Math.floor(r)-1:0,options:n,room:t.get(`room`),token:t.get(`token`),theme:t.get(`theme`)}}function We(e){let t=new URLSearchParams;e.src?t.set(`src`,e.src):e.room?t.set(`room`,e.room):t.set(`scenario`,e.scenario);for(let[n,r]of Object.entries(e.options))t.set(n,typeof r==`boolean`?r?`1`:`0`:String(r));return e.room||t.set(`step`,String(e.step+1)),e.theme&&t.set(`theme`,e.theme),`?${t.toString()}`}var Ge=e=>(...t)=>({_$litDirective$:e,values:t}),Ke=class{constructor(e){}get _$AU(){return this._$AM._$AU}_$AT(e,t,n){this._$Ct=e,this._$AM=t,this._$Ci=n}_$AS(e,t){return this.update(e,t)}update(e,t){return this.render(...t)}},{I:qe}=Oe,Je={},Ye=(e,t=Je)=>e._$AH=t,Xe=Ge(class extends Ke{constructor(){super(...arguments),this.key=M}render(e,t){return this.key=e,t}update(e,[t,n]){return t!==this.key&&(Ye(e),this.key=t),n}}),Ze=1e3,H=8,Qe=20,$e=5,et=52,tt=30,nt=.75;function rt(e){let t=new Map(e.boxes.map(e=>[e.id,e])),n=new Map;for(let t of e.boxes)t.parent&&n.set(t.parent,[...n.get(t.parent)??[],t]);let r=e=>Math.max(e.layer,...(n.get(e.id)??[]).map(r)),i=Array($e).fill(0);for(let n of e.boxes){let e=r(n),a=1;for(let i=n.parent?t.get(n.parent):void 0;i;i=i.parent?t.get(i.parent):void 0)r(i)===e&&a++;i[e]=Math.max(i[e],a)}let a=i.map(e=>e===0?0:et+tt*e),o=Array($e).fill(0),s=0;for(let e=4;e>=0;e--)o[e]=s,s+=a[e];return{top:o,height:a,total:s}}function it(e){let t=rt(e),n=e=>t.top[e],r=e=>t.top[e]+t.height[e],i=new Map;for(let t of e.boxes){let e=i.get(t.parent)??[];e.push(t),i.set(t.parent,e)}let a=new Map,o=e=>{let t=e.layer;for(let n of i.get(e.id)??[])t=Math.max(t,o(n));return a.set(e.id,t),t};for(let e of i.get(null)??[])o(e);let s=new Map,c=e=>{let t=i.get(e.id),n=t?at(t,a,c).reduce((e,t)=>e+t,0):1;return s.set(e.id,n),n};for(let e of i.get(null)??[])c(e);let l=new Map,u=(e,t,o)=>{let c=[...new Set(e.map(e=>e.column))].sort((e,t)=>e-t),d=at(e,a,e=>s.get(e.id)??1).map(e=>e**+nt),f=d.reduce((e,t)=>e+t,0),p=t.x;c.forEach((s,c)=>{let m=t.w*d[c]/f,h=e.filter(e=>e.column===s);for(let e of h){let s=h.filter(t=>t.layer===e.layer&&a.get(t.id)===a.get(e.id)),c=s.indexOf(e),d=m/s.length,f=Math.max(t.y,n(a.get(e.id))),g=Math.min(t.y+t.h,r(e.layer)),_={box:e,depth:o,x:p+c*d,y:f,w:d,h:Math.max(24,g-f)};(e.kind!==`space`||o>0)&&(_.x+=H/2,_.w-=H,_.y+=H/2,_.h-=H),l.set(e.id,_);let ee=i.get(e.id);if(ee){let t=e.kind===`space`&&o===0?0:H;u(ee,{x:_.x+t,y:_.y+Qe,w:_.w-2*t,h:_.h-Qe-t/2},o+1)}}p+=m})};return u(i.get(null)??[],{x:0,y:0,w:Ze,h:t.total},0),l}function at(e,t,n){return[...new Set(e.map(e=>e.column))].sort((e,t)=>e-t).map(r=>{let i=new Map;for(let a of e.filter(e=>e.column===r)){let e=`${a.layer}:${t.get(a.id)??a.layer}`;i.set(e,(i.get(e)??0)+n(a))}return Math.max(1,...i.values())})}function ot(e){return{x:e.x+e.w/2,y:e.y+e.h/2}}function st(e,t){let n=ot(e),r=t.x-n.x,i=t.y-n.y;if(r===0&&i===0)return n;let a=r===0?1/0:e.w/2/Math.abs(r),o=i===0?1/0:e.h/2/Math.abs(i),s=Math.min(a,o,1);return{x:n.x+r*s,y:n.y+i*s}}var ct=16,lt=24;function ut(e){let t=new Map;for(let n of e){let e=[n.a,n.b].sort().join(`|`);t.set(e,[...t.get(e)??[],n])}let n=new Map;for(let e of t.values())e.forEach((t,r)=>n.set(t.id,r-(e.length-1)/2));return n}function dt(e,t,n,r){let i=Math.max(e,n),a=Math.min(t,r);return a-i>=lt?[i,a]:null}function ft(e,t,n=0){let r=t.get(e.a),i=t.get(e.b);if(!r||!i)return null;let a=n*ct,o=dt(r.x,r.x+r.w,i.x,i.x+i.w),s=dt(r.y,r.y+r.h,i.y,i.y+i.h),c=(e,t)=>({start:e,end:t,control:{x:(e.x+t.x)/2,y:(e.y+t.y)/2}}),l=n=>!ht(n.start,n.end,e,t);if(o&&(r.y+r.h<=i.y||i.y+i.h<=r.y)){let e=(o[0]+o[1])/2+a,t=r.y<i.y?c({x:e,y:r.y+r.h},{x:e,y:i.y}):c({x:e,y:r.y},{x:e,y:i.y+i.h});if(l(t))return t}if(s&&(r.x+r.w<=i.x||i.x+i.w<=r.x)){let e=(s[0]+s[1])/2+a,t=r.x<i.x?c({x:r.x+r.w,y:e},{x:i.x,y:e}):c({x:r.x,y:e},{x:i.x+i.w,y:e});if(l(t))return t}let u=st(r,ot(i)),d=st(i,ot(r)),f=d.x-u.x,p=d.y-u.y,m=Math.hypot(f,p)||1,h=(ht(u,d,e,t)?.35:.12)*m*(f<0?1:-1)+a*1.5,g={x:(u.x+d.x)/2,y:(u.y+d.y)/2},_=e=>({x:g.x-p/m*e,y:g.y+f/m*e});return{start:u,end:d,control:mt(g,_(h),_(-h),pt(t))}}function pt(e){let t=1/0,n=-1/0;for(let r of e.values())t=Math.min(t,r.y),n=Math.max(n,r.y+r.h);return{top:t,bottom:n}}function mt(e,t,n,r){let i=t=>(e.y+t.y)/2,a=e=>i(e)>=r.top+4&&i(e)<=r.bottom-4;if(a(t))return t;if(a(n))return n;let o=((i(t)<r.top+4?r.top+4:r.bottom-4)-e.y)/(i(t)-e.y||1);return{x:e.x+(t.x-e.x)*o,y:e.y+(t.y-e.y)*o}}function ht(e,t,n,r){let i=new Set;for(let e of[n.a,n.b])for(let t=e;t;t=r.get(t)?.box.parent)i.add(t);for(let n of r.values())if(!(i.has(n.box.id)||n.box.kind===`space`)&&(!n.box.parent||r.has(n.box.parent))&&gt(e,t,n,2))return!0;return!1}function gt(e,t,n,r=0){let i=n.x+r,a=n.x+n.w-r,o=n.y+r,s=n.y+n.h-r,c=0,l=1,u=t.x-e.x,d=t.y-e.y;for(let[t,n]of[[-u,e.x-i],[u,a-e.x],[-d,e.y-o],[d,s-e.y]]){if(t===0){if(n<0)return!1;continue}let e=n/t;if(t<0){if(e>l)return!1;e>c&&(c=e)}else{if(e<c)return!1;e<l&&(l=e)}}return l-c>1e-9}var U=e=>e.toFixed(1);function _t(e,t,n=!1,r=0){let i=ft(e,t,r);if(!i)return null;let[a,o]=n?[i.end,i.start]:[i.start,i.end];return`M${U(a.x)},${U(a.y)} Q${U(i.control.x)},${U(i.control.y)} ${U(o.x)},${U(o.y)}`}function vt(e){return{x:.25*e.start.x+.5*e.control.x+.25*e.end.x,y:.25*e.start.y+.5*e.control.y+.25*e.end.y}}function yt(e,t,n){let r=t,i=[];for(let t of n){let n=e.get(t);if(!n)continue;let a=n.b===r;i.push({wire:n,reversed:a}),r=a?n.a:n.b}return i}var bt=.58;function xt(e,t){let n=[];for(let r of e){let e=n[n.length-1];e!==void 0&&(e+` `+r).length<=t?n[n.length-1]=e+` `+r:n.push(r)}return n}function St(e,t,n=13,r=9,i=2){let a=e.split(/\s+/).filter(Boolean);for(let e=n;e>=r;e--){let n=Math.floor(t/(bt*e)),r=xt(a,n);if(r.length<=i&&r.every(e=>e.length<=n))return{lines:r,size:e}}let o=Math.max(1,Math.floor(t/(bt*r)));return{lines:xt(a,o).slice(0,i).map(e=>e.length>o?e.slice(0,Math.max(1,o-1))+`…`:e),size:r}}var Ct=[[`control`,`control plane`],[`data`,`data plane`],[`notification`,`notifications`]],W=class extends F{constructor(...e){super(...e),this.topology=null,this.reducedMotion=!1,this.drawing=null}static{this.styles=[B,o`
    :host { display: block; overflow-x: auto; }
    svg { width: 100%; height: auto; display: block; }
    /* On a phone the diagram keeps a readable size and scrolls sideways inside its panel. */
    @media (max-width: 700px) { svg { min-width: 620px; } }
    .box rect { fill: var(--vv-panel-2); stroke: var(--vv-line); stroke-width: 1.2; transition: stroke 0.2s, fill 0.2s; }
    .box.space rect { fill: transparent; stroke-dasharray: 4 4; }
    .box.vm rect, .box.process rect { fill: color-mix(in srgb, var(--vv-panel-2) 60%, transparent); }
    .box.memory rect { fill: color-mix(in srgb, var(--vv-data) 12%, var(--vv-panel-2)); }
    .box.hardware rect { fill: color-mix(in srgb, var(--vv-muted) 14%, var(--vv-panel-2)); }
    .box.active rect { stroke: var(--vv-active); stroke-width: 3; fill: color-mix(in srgb, var(--vv-active) 12%, var(--vv-panel-2)); }
    .box text { fill: var(--vv-text); }
    .box.space > text, .box.vm > text, .box.process > text { fill: var(--vv-muted); }
    .box .sub { fill: var(--vv-muted); }
    .wire { fill: none; stroke-width: 1.8; opacity: 0.4; }
    .wire:hover { opacity: 0.9; }
    .wire.lit { opacity: 1; stroke-width: 3.4; }
    .wire.suppressed { stroke-dasharray: 2 5; }
    .route { fill: none; stroke-width: 3.4; }
    .wire-label { font-size: 12px; fill: var(--vv-text); font-weight: 600; paint-order: stroke; stroke: var(--vv-panel); stroke-width: 5px; stroke-linejoin: round; }
    .token { stroke: var(--vv-panel); stroke-width: 2.5; }
    .legend { display: flex; gap: 14px; flex-wrap: wrap; font-size: 0.78em; color: var(--vv-muted); margin: 2px 4px 6px; }
    .legend i { display: inline-block; width: 18px; height: 3px; border-radius: 2px; vertical-align: middle; margin-right: 5px; }
    .legend i.box { width: 12px; height: 10px; border: 2px solid var(--vv-active); background: transparent; border-radius: 3px; }
    @media (prefers-reduced-motion: reduce) { .box rect { transition: none; } }
  `]}draw(e){return this.drawing?.topology!==e&&(this.drawing={topology:e,placed:it(e),offsets:ut(e.wires),parents:new Set(e.boxes.map(e=>e.parent).filter(e=>e!==null)),height:rt(e).total}),this.drawing}render(){let e=this.topology;if(!e)return M;let{placed:t,offsets:n,parents:r,height:i}=this.draw(e),a=new Map(e.wires.map(e=>[e.id,e])),o=this.frame,s=o?.route?e.routes.find(e=>e.name===o.route):void 0,c=s?.start??o?.box??``,l=o?yt(a,c,o.hops):[],u=new Set(o?.hops??[]),d=V[o?.event.plane??`data`]??``,f=new Set(e.routes.filter(e=>e.suppressed).flatMap(e=>e.hops)),p=l.map(e=>_t(e.wire,t,e.reversed,n.get(e.wire.id)??0)).filter(e=>!!e),m=s?`${s.label}`:o?`inside ${t.get(o.box)?.box.label??o.box}`:``;return k`
      <div class="legend" aria-hidden="true">
        ${Ct.map(([e,t])=>k`<span><i style="background: ${V[e]}"></i>${t}</span>`)}
        <span><i class="box"></i>where this step happens</span>
      </div>
      <svg viewBox="-2 -2 ${Ze+4} ${i+4}" role="img" aria-label="Architecture diagram of ${e.title}. This step: ${m}">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill=${d}></path>
          </marker>
        </defs>
        ${[...t.values()].sort((e,t)=>e.depth-t.depth).map(e=>this.box(e,o?.box===e.box.id,r))}
        ${e.wires.map(e=>{let r=_t(e,t,!1,n.get(e.id)??0);return!r||u.has(e.id)?M:A`<path class="wire ${f.has(e.id)?`suppressed`:``}" d=${r} stroke=${V[e.plane]} data-wire=${e.id}><title>${e.label}: ${e.detail}</title></path>`})}
        ${p.map((e,t)=>A`<path class="wire lit route" d=${e} stroke=${d} data-wire=${l[t].wire.id}
            marker-end=${t===p.length-1?`url(#arrow)`:``}><title>${l[t].wire.label}: ${l[t].wire.detail}</title></path>`)}
        ${l.map(e=>this.wireLabel(e.wire,t,n.get(e.wire.id)??0))}
        ${p.length&&o?Xe(o.index,this.token(p.join(` `),d)):M}
      </svg>`}box(e,t,n){let r=e.box,i=!n.has(r.id)&&(r.kind===`component`||r.kind===`memory`||r.kind===`hardware`);return A`<g class="box ${r.kind} ${t?`active`:``}" data-box=${r.id}>
      <rect x=${e.x} y=${e.y} width=${e.w} height=${e.h} rx="6"><title>${r.label}${r.sublabel?` (${r.sublabel})`:``}</title></rect>
      ${i?this.centredLabel(e):this.cornerLabel(e)}
    </g>`}centredLabel(e){let t=e.box,n=e.w-10,r=St(t.label,n,13,9,2),i=t.sublabel?St(t.sublabel,n,10.5,8,2):null,a=r.lines.length*r.size*1.2,o=i?i.lines.length*i.size*1.25:0,s=i&&a+o<=e.h-8,c=a+(s?o:0),l=e.x+e.w/2,u=e.y+(e.h-c)/2+r.size*.95,d=r.lines.map(e=>{let t=A`<text x=${l} y=${u} text-anchor="middle" font-size=${r.size}>${e}</text>`;return u+=r.size*1.2,t}),f=s&&i?i.lines.map(e=>{let t=A`<text class="sub" x=${l} y=${u} text-anchor="middle" font-size=${i.size}>${e}</text>`;return u+=i.size*1.25,t}):[];return[...d,...f]}cornerLabel(e){let t=e.box,n=St(t.label,e.w-16,12,9,1),r=bt*n.size*n.lines[0].length+24,i=t.sublabel?St(t.sublabel,e.w-16-r,10.5,9,1):null,a=i&&!i.lines[0].endsWith(`…`);return A`<text x=${e.x+8} y=${e.y+15} font-size=${n.size}>${n.lines[0]}</text>
      ${a?A`<text class="sub" x=${e.x+e.w-8} y=${e.y+15} text-anchor="end" font-size=${i.size}>${i.lines[0]}</text>`:M}`}wireLabel(e,t,n){let r=ft(e,t,n);if(!r)return M;let i=vt(r),a=Math.abs(r.end.x-r.start.x)<Math.abs(r.end.y-r.start.y),o=a?i.x>700?`end`:`start`:`middle`;return A`<text class="wire-label" x=${a?i.x+(o===`end`?-8:8):i.x} y=${a?i.y+4:i.y-8} text-anchor=${o}>${e.label}</text>`}token(e,t){let n=this.reducedMotion||window.matchMedia?.(`(prefers-reduced-motion: reduce)`).matches,r=e.match(/([\d.-]+),([\d.-]+)$/);return n&&r?A`<circle class="token" r="8" cx=${r[1]} cy=${r[2]} fill=${t}></circle>`:A`<circle class="token token-moving" r="8" fill=${t}>
      <animateMotion dur="${.45+.35*(e.match(/M/g)??[]).length}s" fill="freeze" path=${e} calcMode="linear"></animateMotion>
    </circle>`}};z([L({attribute:!1})],W.prototype,`topology`,void 0),z([L({attribute:!1})],W.prototype,`frame`,void 0),z([L({type:Boolean})],W.prototype,`reducedMotion`,void 0),W=z([I(`vv-diagram`)],W);var wt=o`
  :host { display: block; }
  .tabs { display: flex; gap: 6px; flex-wrap: wrap; margin-bottom: 8px; }
  .tabs button[aria-pressed="true"] { border-color: var(--vv-accent); background: var(--vv-focus); }
  .cols { display: grid; grid-template-columns: minmax(0, 11fr) minmax(0, 10fr); gap: 14px; }
  @media (max-width: 900px) { .cols { grid-template-columns: minmax(0, 1fr); } }
  h3 { font-size: 0.85em; margin: 0 0 4px; font-weight: 600; }
  h3 .muted { font-weight: 400; }
  .legend { font-size: 0.75em; display: flex; gap: 10px; flex-wrap: wrap; margin-bottom: 4px; }
  .legend i { display: inline-block; width: 16px; height: 0; vertical-align: middle; margin-right: 4px; border-top: 2px solid var(--vv-accent); }
  .legend i.free { border-top: 2px dashed var(--vv-muted); }
  .legend i.flight { width: 4px; height: 12px; border: 0; background: var(--vv-notification); }
  .legend i.changed { width: 12px; height: 12px; border: 0; background: var(--vv-changed); }
  .scroll { max-height: 300px; overflow: auto; position: relative; border-radius: 6px; }
  .scroll:focus-visible { outline: 2px solid var(--vv-accent); }
  .desc-wrap { position: relative; padding-left: ${30}px; }
  svg.links { position: absolute; left: 0; top: ${20}px; width: ${30}px; overflow: visible; pointer-events: none; }
  svg.links path { fill: none; stroke-width: 1.6; }
  svg.links path.chain { stroke: var(--vv-accent); }
  svg.links path.free { stroke: var(--vv-muted); stroke-dasharray: 3 3; opacity: 0.8; }
  svg.links .dot { fill: var(--vv-accent); }
  table { border-collapse: collapse; width: 100%; font-family: var(--vv-mono); font-size: 0.8em; }
  tr { height: ${20}px; }
  th { text-align: left; color: var(--vv-muted); font-weight: 500; position: sticky; top: 0; background: var(--vv-panel); z-index: 1; }
  td, th { padding: 0 6px; white-space: nowrap; line-height: ${18}px; }
  td:first-child { box-shadow: inset 3px 0 transparent; }
  tr.changed td { background: var(--vv-changed); }
  tr.flight td:first-child { box-shadow: inset 3px 0 var(--vv-notification); }
  tr.free td { color: var(--vv-muted); }
  tr.read td { outline: 1px dashed var(--vv-accent); outline-offset: -1px; }
  tr:hover td, tr.focus td { background: var(--vv-focus); }
  td.buf { cursor: pointer; text-decoration: underline dotted var(--vv-muted); }
  td.dim, .dim { color: var(--vv-muted); }
  .chips { display: flex; flex-wrap: wrap; gap: 4px 6px; margin: 2px 0 6px; font-family: var(--vv-mono); font-size: 0.78em; }
  .chip { border: 1px solid var(--vv-line); border-radius: 6px; padding: 1px 6px; white-space: nowrap; }
  .chip.private { border-style: dashed; }
  .chip.changed { background: var(--vv-changed); }
  .chip.focus { background: var(--vv-focus); border-color: var(--vv-accent); }
  .chip b { font-weight: 600; }
  .strip { display: grid; gap: 3px; margin-bottom: 12px; font-family: var(--vv-mono); font-size: 0.75em; }
  .strip.avail { grid-template-columns: repeat(auto-fill, minmax(4.6em, 1fr)); }
  .strip.used { grid-template-columns: repeat(auto-fill, minmax(7.6em, 1fr)); }
  .cell { border: 1px solid var(--vv-line); border-radius: 5px; padding: 2px 4px; min-height: 34px; position: relative; cursor: default; }
  .cell .i { color: var(--vv-muted); font-size: 0.85em; display: block; }
  .cell.pending { border-color: var(--vv-accent); background: color-mix(in srgb, var(--vv-accent) 14%, transparent); }
  .cell.changed { background: var(--vv-changed); }
  .cell.focus, .cell:hover { outline: 2px solid var(--vv-accent); outline-offset: -1px; }
  .cell .mark { position: absolute; right: 2px; top: 1px; font-size: 0.8em; font-weight: 700; }
  .mark.producer { color: var(--vv-accent); }
  .mark.consumer { color: var(--vv-notification); }
  .note { font-size: 0.75em; margin: 0 0 10px; }
  .bits { font-family: var(--vv-mono); }
  .on { color: var(--vv-active); font-weight: 700; }
  td.state-available { color: var(--vv-accent); font-weight: 600; }
  td.state-used { color: var(--vv-active); }
`;function Tt(e,t,n){let r=[];for(let i=0;i<n;i++){let n=t+16*i;r.push({index:i,addr:e.u64(n),len:e.u32(n+8),flags:e.u16(n+12),next:e.u16(n+14)})}return r}function Et(e,t,n){let r=Array.from({length:n},(n,r)=>e.u16(t+4+2*r));return{flags:e.u16(t),idx:e.u16(t+2),ring:r,usedEvent:e.u16(t+4+2*n)}}function Dt(e,t,n){let r=Array.from({length:n},(n,r)=>({id:e.u32(t+4+8*r),len:e.u32(t+8+8*r)}));return{flags:e.u16(t),idx:e.u16(t+2),ring:r,availEvent:e.u16(t+4+8*n)}}function Ot(e,t,n){return Array.from({length:n},(n,r)=>{let i=t+16*r;return{slot:r,addr:e.u64(i),len:e.u32(i+8),id:e.u16(i+12),flags:e.u16(i+14)}})}function kt(e,t){let n=e.u16(t);return{offset:n&32767,wrap:n>>15,flags:e.u16(t+2)&3}}function At(e,t,n){let r=[],i=t;for(let t=0;t<n&&i<e.length&&!r.includes(i);t++)r.push(i),i=e[i].next;return r}function jt(e){let t=[];return e&1&&t.push(`NEXT`),e&2&&t.push(`WRITE`),e&4&&t.push(`INDIRECT`),t.join(`|`)||`0`}function G(e,t=0){return`0x`+e.toString(16).padStart(t,`0`)}function Mt(e,t,n){if(t==null||n<=0)return[];let r=e-t&65535;return r>n?[]:Array.from({length:r},(e,r)=>(t+r)%n)}function Nt(e,t){let n=[],r=t;for(;r<e.length&&!n.includes(r);){n.push(r);let t=e[r];if(!(t.flags&1))break;r=t.next}return n}function Pt(e,t){let n=new Set(t),r=[];for(let t of e)!n.has(t.index)&&t.flags&1&&t.next<e.length&&r.push({from:t.index,to:t.next,kind:`chain`});for(let e=0;e+1<t.length;e++)r.push({from:t[e],to:t[e+1],kind:`free`});return r}function Ft(e,t,n){let r=(e.from+.5)*t,i=(e.to+.5)*t,a=Math.abs(e.to-e.from),o=Math.min(n-3,6+4*Math.sqrt(a)),s=n-1,c=s-o*1.33;return`M${s},${r} C${c.toFixed(1)},${r} ${c.toFixed(1)},${i} ${s},${i}`}function It(e,t){let n=e;return t.map(([e,t])=>{let r={name:e,addr:n,length:t};return n+=t,r})}var Lt=[[`addr`,8],[`len`,4],[`flags`,2],[`next`,2]],Rt=[[`addr`,8],[`len`,4],[`id`,2],[`flags`,2]],zt=[[`off_wrap`,2],[`flags`,2]];function Bt(e,t){let n=e.areas.find(t=>t.name===(e.format===`split`?`desc`:`ring`));if(!n)return null;let r=n.addr+16*t,i=e.format===`split`?`descriptor ${t}`:`descriptor slot ${t}`;return{addr:r,length:16,label:`${e.name}: ${i}`,queue:e.index,descriptor:t,fields:It(r,e.format===`split`?Lt:Rt)}}function Vt(e,t,n){let r=e.name,i=e.size,a=(n,i,a,o)=>({addr:t.addr+n,length:i,label:`${r}: ${a}`,queue:e.index,fields:o?It(t.addr+n,o):[{name:a,addr:t.addr+n,length:i}]}),o=t.name===`avail`?`avail`:`used`;if(n<2)return a(0,2,`${o}.flags`);if(n<4)return a(2,2,`${o}.idx`);if(t.name===`avail`){if(n<4+2*i){let e=n-4>>1;return a(4+2*e,2,`avail.ring[${e}]`)}return a(4+2*i,2,`used_event`)}if(n<4+8*i){let e=n-4>>3;return a(4+8*e,8,`used.ring[${e}]`,[[`id`,4],[`len`,4]])}return a(4+8*i,2,`avail_event`)}function Ht(e,t){for(let n of e)for(let e of n.areas){let r=t-e.addr;if(r<0||r>=e.size)continue;if(e.name===`desc`||e.name===`ring`)return Bt(n,Math.floor(r/16));if(e.name===`avail`||e.name===`used`)return Vt(n,e,r);let i=e.name===`driver_event`?`driver event suppression`:`device event suppression`;return{addr:e.addr,length:4,label:`${n.name}: ${i}`,queue:n.index,fields:It(e.addr,zt)}}return null}function Ut(e,t,n){return!!e&&e.addr<t+n&&t<e.addr+e.length}function Wt(e,t,n){return!!e?.memory.some(e=>e.addr<t+n&&t<e.addr+e.hex.length/2)}function Gt(e,t,n){return!!e?.event.reads.some(([e,r])=>e<t+n&&t<e+r)}function K(e,t,n,r={}){let i={changed:Wt(e.frame,t,n),focus:Ut(e.focused,t,n),...r};return Object.keys(i).filter(e=>i[e]).join(` `)}function q(e){return typeof e==`number`?e:null}function Kt(e){let t=e.queue,n=e.memory,r=e=>t.areas.find(t=>t.name===e),i=r(`desc`),a=r(`avail`),o=r(`used`);if(!i||!a||!o)return M;let s=Tt(n,i.addr,t.size),c=Et(n,a.addr,t.size),l=Dt(n,o.addr,t.size),u=t.driver??{},d=t.device??{},f=q(u.free_head),p=q(u.num_free),m=t.driver&&f!==null&&p!==null?At(s,f,p):[],h=new Set(m),g=Array.isArray(u.in_flight)?u.in_flight:[],_=new Set(g.flatMap(e=>Nt(s,e))),ee=Pt(s,m),v=q(d.last_avail_idx),y=q(u.last_used_idx),b=new Set(Mt(c.idx,v,t.size)),te=new Set(Mt(l.idx,y,t.size)),x=(e,n)=>Ht([t],n+e),S=(n,r,i,a)=>k`<span
      class="chip ${i===null?`private`:K(e,i,2)}" title=${a}
      @mouseenter=${()=>i!==null&&e.point(Ht([t],i))}>${n} <b>${r??`–`}</b></span>`;return k`<div class="cols"><div>${k`
    <h3>Descriptor table <span class="muted">at ${G(i.addr)}, ${t.size} × 16 bytes</span></h3>
    <div class="legend muted"><span><i></i>chain (NEXT)</span><span><i class="free"></i>free list from free_head ${f??`–`} (${p??`–`} free)</span><span><i class="flight"></i>in flight</span><span><i class="changed"></i>written this step</span></div>
    <div class="scroll" tabindex="0" aria-label="Descriptor table, arrow keys move between descriptors" @keydown=${n=>qt(n,e,t.size)}>
      <div class="desc-wrap">
        <svg class="links" height=${t.size*20} viewBox="0 0 ${30} ${t.size*20}" aria-hidden="true">
          ${ee.map(e=>A`<path class=${e.kind} d=${Ft(e,20,30)}></path>`)}
          ${f!==null&&t.driver?A`<circle class="dot" cx=${26} cy=${(f+.5)*20} r="2.5"></circle>`:M}
        </svg>
        <table aria-label="Descriptor table">
          <thead><tr><th>#</th><th>addr</th><th>len</th><th>flags</th><th>next</th></tr></thead>
          <tbody>${s.map(n=>k`<tr data-index=${n.index}
              class=${K(e,i.addr+16*n.index,16,{flight:_.has(n.index),free:h.has(n.index),read:Gt(e.frame,i.addr+16*n.index,16)})}
              @mouseenter=${()=>e.point(Bt(t,n.index))}>
            <td>${n.index}</td><td class="buf" title="click to see this buffer in the hex view"
              @click=${()=>n.len&&e.point({addr:n.addr,length:Math.min(n.len,1024),label:`buffer of descriptor ${n.index}`})}>${G(n.addr)}</td><td>${n.len}</td><td>${jt(n.flags)}</td><td class=${n.flags&1?``:`dim`}>${n.next}</td></tr>`)}</tbody>
        </table>
      </div>
    </div>`}</div><div>${k`
    <h3>Available ring <span class="muted">driver → device, at ${G(a.addr)}</span></h3>
    <div class="chips">
      ${S(`avail.flags`,c.flags,a.addr,`1 = VIRTQ_AVAIL_F_NO_INTERRUPT: the driver asks for no interrupts`)}
      ${S(`avail.idx`,c.idx,a.addr+2,`where the driver will put the next entry (free-running, mod 2^16)`)}
      ${S(`used_event`,c.usedEvent,a.addr+4+2*t.size,`with VIRTIO_F_EVENT_IDX: interrupt me when used.idx passes this`)}
      ${S(`last_avail_idx`,v,null,`the device's private count of entries taken (not in shared memory)`)}
    </div>
    <div class="strip avail" role="list" aria-label="Available ring entries">
      ${c.ring.map((n,r)=>k`<div role="listitem" class="cell ${K(e,a.addr+4+2*r,2,{pending:b.has(r)})}"
          title="avail.ring[${r}]${b.has(r)?`: published, not yet taken by the device`:``}"
          @mouseenter=${()=>e.point(x(4+2*r,a.addr))}>
        <span class="i">[${r}]</span>${n}
        ${r===c.idx%t.size?k`<span class="mark producer" title="avail.idx points here">idx</span>`:M}
        ${v!==null&&r===v%t.size&&r!==c.idx%t.size?k`<span class="mark consumer" title="the device reads this entry next">◆</span>`:M}
      </div>`)}
    </div>`}${k`
    <h3>Used ring <span class="muted">device → driver, at ${G(o.addr)}</span></h3>
    <div class="chips">
      ${S(`used.flags`,l.flags,o.addr,`1 = VIRTQ_USED_F_NO_NOTIFY: the device asks for no kicks`)}
      ${S(`used.idx`,l.idx,o.addr+2,`where the device will put the next used element`)}
      ${S(`avail_event`,l.availEvent,o.addr+4+8*t.size,`with VIRTIO_F_EVENT_IDX: kick me when avail.idx passes this`)}
      ${S(`last_used_idx`,y,null,`the driver's private count of used elements it has collected`)}
    </div>
    <div class="strip used" role="list" aria-label="Used ring entries">
      ${l.ring.map((n,r)=>k`<div role="listitem" class="cell ${K(e,o.addr+4+8*r,8,{pending:te.has(r)})}"
          title="used.ring[${r}]${te.has(r)?`: returned, not yet collected by the driver`:``}"
          @mouseenter=${()=>e.point(x(4+8*r,o.addr))}>
        <span class="i">[${r}]</span>id ${n.id}<br /><span class="dim">len</span> ${n.len}
        ${r===l.idx%t.size?k`<span class="mark producer" title="used.idx points here">idx</span>`:M}
        ${y!==null&&r===y%t.size&&r!==l.idx%t.size?k`<span class="mark consumer" title="the driver collects this element next">◆</span>`:M}
      </div>`)}
    </div>
    <p class="note muted">Blue cells: entries one side has published and the other has not taken yet. <b>idx</b>: the next slot to fill; ◆: the next slot the other side reads. Dashed chips are private counters, not guest memory.</p>`}</div></div>`}function qt(e,t,n){if(e.key!==`ArrowDown`&&e.key!==`ArrowUp`)return;e.preventDefault();let r=t.focused,i=r?.queue===t.queue.index&&r.descriptor!==void 0?r.descriptor:-1,a=Math.max(0,Math.min(n-1,i+(e.key===`ArrowDown`?1:-1)));t.point(Bt(t.queue,a));let o=e.currentTarget,s=o.querySelector(`tr[data-index="${a}"]`);if(s){let e=s.offsetTop,t=e+s.offsetHeight;e-20<o.scrollTop?o.scrollTop=e-20:t>o.scrollTop+o.clientHeight&&(o.scrollTop=t-o.clientHeight)}}var Jt=[`ENABLE`,`DISABLE`,`DESC`];function Yt(e){return!!(e.flags&128)==!!(e.flags&32768)?e.addr===0&&e.len===0&&e.id===0&&e.flags===0?`empty`:`used`:`available`}function Xt(e){let t=e.queue,n=e=>t.areas.find(t=>t.name===e),r=n(`ring`),i=n(`driver_event`),a=n(`device_event`);if(!r||!i||!a)return M;let o=Ot(e.memory,r.addr,t.size),s=t.driver??{},c=t.device??{},l=e=>[q(s.next_avail)===e?`◀ driver adds`:``,q(c.next_avail)===e?`◀ device reads`:``,q(s.next_used)===e?`◀ driver collects`:``].filter(Boolean).join(` `),u=(e,t,n)=>k`<span class="chip private" title="${e}'s private state">${e} ${t} <b>${n??`–`}</b></span>`,d=(n,r,i)=>{let a=kt(e.memory,r);return k`<span class="chip ${K(e,r,4)}" title="written by the ${i}" @mouseenter=${()=>e.point(Ht([t],r))}>
      ${n}: <b>${Jt[a.flags]??a.flags}</b>${a.flags===2?k` at ${a.offset}, wrap ${a.wrap}`:M}</span>`};return k`<div class="cols">
    <div>
      <h3>Descriptor ring <span class="muted">at ${G(r.addr)}, ${t.size} × 16 bytes</span></h3>
      <div class="scroll"><table aria-label="Packed descriptor ring">
        <thead><tr><th>slot</th><th>addr</th><th>len</th><th>id</th><th>flags</th><th>A</th><th>U</th><th>state</th><th></th></tr></thead>
        <tbody>${o.map(n=>{let i=r.addr+16*n.slot;return k`<tr class=${K(e,i,16,{read:Gt(e.frame,i,16),free:Yt(n)===`empty`})} @mouseenter=${()=>e.point(Bt(t,n.slot))}>
            <td>${n.slot}</td><td>${G(n.addr)}</td><td>${n.len}</td><td>${n.id}</td><td>${jt(n.flags&7)}</td>
            <td class=${n.flags&128?`on`:`dim`}>${n.flags&128?1:0}</td>
            <td class=${n.flags&32768?`on`:`dim`}>${n.flags&32768?1:0}</td>
            <td class="state-${Yt(n)}">${Yt(n)}</td><td class="dim">${l(n.slot)}</td></tr>`})}</tbody>
      </table></div>
    </div>
    <div>
      <h3>Wrap counters and positions</h3>
      <div class="chips">
        ${u(`driver`,`next_avail`,s.next_avail)}${u(`driver`,`avail wrap`,s.avail_wrap_counter)}
        ${u(`driver`,`next_used`,s.next_used)}${u(`driver`,`used wrap`,s.used_wrap_counter)}
      </div>
      <div class="chips">
        ${u(`device`,`next_avail`,c.next_avail)}${u(`device`,`avail wrap`,c.avail_wrap_counter)}
        ${u(`device`,`next_used`,c.next_used)}${u(`device`,`used wrap`,c.used_wrap_counter)}
      </div>
      <h3>Event suppression</h3>
      <div class="chips">
        ${d(`driver event (used buffer notifications)`,i.addr,`driver`)}
        ${d(`device event (driver notifications)`,a.addr,`device`)}
      </div>
      <p class="note muted">A descriptor is available when its AVAIL bit differs from its USED bit and matches the driver's avail wrap counter; the device marks it used by making both bits equal to its own wrap counter. Each lap around the ring flips the counters.</p>
    </div>
  </div>`}var J=class extends F{constructor(...e){super(...e),this.queues=[],this.memory=null,this.focused=null,this.selected=-1}static{this.styles=[B,wt]}point(e){e&&this.dispatchEvent(new CustomEvent(`focus-bytes`,{detail:e,bubbles:!0,composed:!0}))}current(e){let t=e.find(e=>e.index===this.selected);if(t)return t;let n=this.frame?.event.queue;return e.find(e=>e.index===n)??e[0]}render(){let e=this.queues.filter(e=>e.areas.length);if(!e.length||!this.memory)return k`<h2>Virtqueues</h2><p class="muted">No queue is set up yet: the driver allocates the rings during queue setup.</p>`;let t=this.current(e),n={queue:t,memory:this.memory,frame:this.frame,focused:this.focused,point:e=>this.point(e)};return k`<h2>Virtqueues</h2>
      <div class="tabs" role="group" aria-label="Queue">
        ${e.map(e=>k`<button aria-pressed=${e.index===t.index} @click=${()=>{this.selected=e.index}}>${e.index}: ${e.name} (${e.format}, ${e.size})</button>`)}
        ${this.selected>=0?k`<button class="muted" title="show the queue each step acts on" @click=${()=>{this.selected=-1}}>follow the story</button>`:``}
      </div>
      ${t.format===`split`?Kt(n):Xt(n)}`}};z([L({attribute:!1})],J.prototype,`queues`,void 0),z([L({attribute:!1})],J.prototype,`memory`,void 0),z([L({attribute:!1})],J.prototype,`frame`,void 0),z([L({attribute:!1})],J.prototype,`focused`,void 0),z([L({type:Number})],J.prototype,`selected`,void 0),J=z([I(`vv-rings`)],J);var Zt=[[1,`ACKNOWLEDGE`,`a guest noticed the device`],[2,`DRIVER`,`it has a driver for it`],[8,`FEATURES_OK`,`features agreed`],[4,`DRIVER_OK`,`the device is live`],[64,`DEVICE_NEEDS_RESET`,`the device hit an error`],[128,`FAILED`,`the driver gave up`]];function Qt(e){return Zt.filter(([t])=>e&t).map(([,e])=>e)}function $t(e,t){if(t===0)return e===void 0?``:`reset`;let n=e??0,r=Qt(t&~n).map(e=>`+${e}`),i=Qt(n&~t).map(e=>`-${e}`);return[...r,...i].join(` `)}var en=class extends F{constructor(...e){super(...e),this.value=0,this.history=[]}static{this.styles=[B,o`
    :host { display: block; }
    ul { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 11.5em), 1fr)); gap: 4px 10px; }
    li { display: flex; align-items: center; gap: 6px; font-family: var(--vv-mono); font-size: 0.8em; }
    .lamp { width: 12px; height: 12px; border-radius: 50%; border: 1px solid var(--vv-line); background: transparent; flex: none; }
    .on .lamp { background: var(--vv-active); border-color: var(--vv-active); box-shadow: 0 0 8px var(--vv-active); }
    .on.bad .lamp { background: var(--vv-violation); border-color: var(--vv-violation); box-shadow: 0 0 8px var(--vv-violation); }
    .history { margin: 8px 0 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 2px 4px; font-family: var(--vv-mono); font-size: 0.75em; color: var(--vv-muted); }
    .history li { display: flex; gap: 4px; align-items: baseline; font-size: 1em; }
    .history .step { color: var(--vv-text); }
    .history .what { font-size: 0.9em; }
  `]}render(){return k`<h2>Device status <span class="mono">0x${this.value.toString(16)}</span></h2>
      <ul aria-label="device status bits">${Zt.map(([e,t,n])=>{let r=(this.value&e)!==0;return k`<li class="${r?`on`:``} ${e>=64?`bad`:``}" title=${n} aria-label="${t} ${r?`set`:`clear`}"><span class="lamp"></span>${t}</li>`})}</ul>
      ${this.history.length>1?k`<ol class="history" aria-label="status values so far">${this.history.map((e,t)=>k`<li
          title=${Qt(e).join(` | `)||`0: reset`}>${t?k`<span class="arrow">→</span>`:``}<span class="step">0x${e.toString(16)}</span>
          <span class="what">${$t(this.history[t-1],e)}</span></li>`)}</ol>`:``}`}};z([L({type:Number})],en.prototype,`value`,void 0),z([L({attribute:!1})],en.prototype,`history`,void 0),en=z([I(`vv-status`)],en);function tn(e,t){try{return(BigInt(e)>>BigInt(t)&1n)==1n}catch{return!1}}function nn(e){let t=[],n;try{n=BigInt(e)}catch{return t}for(let e=0;n>0n;e++,n>>=1n)n&1n&&t.push(e);return t}function rn(e,t){let n=new Map((e??[]).map(e=>[e.bit,e]));return[...new Set([...nn(t.offered),...nn(t.driver)])].sort((e,t)=>e-t).map(e=>({bit:e,name:n.get(e)?.name??`feature bit ${e}`,section:n.get(e)?.section??``,offered:tn(t.offered,e),driver:tn(t.driver,e),negotiated:tn(t.negotiated,e)}))}var an=class extends F{constructor(...e){super(...e),this.names=[],this.features=null}static{this.styles=[B,o`
    :host { display: block; }
    .scroll { max-height: 240px; overflow: auto; }
    table { border-collapse: collapse; width: 100%; font-size: 0.8em; }
    td, th { padding: 1px 6px; text-align: left; white-space: nowrap; }
    th { color: var(--vv-muted); font-weight: 500; position: sticky; top: 0; background: var(--vv-panel); }
    td.y { color: var(--vv-active); } td.n { color: var(--vv-muted); }
    tr.declined td:first-child, tr.declined td:nth-child(2) { color: var(--vv-notification); }
    .legend { font-size: 0.75em; margin: 4px 0 0; }
  `]}render(){let e=this.features;if(!e)return k`<h2>Features</h2>`;let t=rn(this.names,e),n=e.driver!==`0x0`,r=(e,t)=>k`<td class=${e?`y`:`n`} aria-label=${e?t:`not ${t}`}>${e?`✔`:`·`}</td>`;return k`<h2>Features <span class="mono muted">${e.negotiated}</span></h2>
      <div class="scroll"><table aria-label="feature bits">
        <thead><tr><th>bit</th><th>name</th><th>offered</th><th>driver</th><th>negotiated</th></tr></thead>
        <tbody>${t.map(e=>k`<tr class=${e.offered&&!e.driver&&n?`declined`:``} title=${e.section?`virtio-1.2 ${e.section}`:``}>
          <td>${e.bit}</td><td class="mono">${e.name}</td>${r(e.offered,`offered`)}${r(e.driver,`accepted`)}${r(e.negotiated,`negotiated`)}</tr>`)}</tbody>
      </table></div>
      ${n?k`<p class="legend muted">Orange: offered by the device, left out by the driver.</p>`:``}`}};z([L({attribute:!1})],an.prototype,`names`,void 0),z([L({attribute:!1})],an.prototype,`features`,void 0),an=z([I(`vv-features`)],an);var on=1024,sn=e=>`0x${e.toString(16)}`;function cn(e,t){let n=[];for(let r of e){let e=r.areas.find(e=>e.name===`desc`),i=r.driver&&Array.isArray(r.driver.in_flight)?r.driver.in_flight:[];if(r.format!==`split`||!e||!i.length)continue;let a=Tt(t,e.addr,r.size);for(let e of i)for(let t of Nt(a,e)){let e=a[t];e.len!==0&&n.push({key:`buf:${r.index}:${t}`,label:`${r.name}: buffer of descriptor ${t} (${e.len} bytes at ${sn(e.addr)})`,addr:e.addr,size:Math.min(e.len,on)})}}return n}function ln(e,t,n){let r=[],i=e?.memory[0];if(i){let e=i.hex.length/2,t=i.addr-i.addr%16,n=Math.max(64,i.addr+e-t);r.push({key:`written`,label:`bytes written by this step`,addr:t,size:Math.min(on,n)})}for(let e of t)for(let t of e.areas)r.push({key:`${e.index}:${t.name}`,label:`${e.name}: ${t.label} at ${sn(t.addr)}`,addr:t.addr,size:Math.min(t.size,on*4)});return[...r,...cn(t,n)]}function un(e,t,n){let r=e.filter(e=>e.key!==`written`&&t>=e.addr&&t+n<=e.addr+e.size);if(r.sort((e,t)=>e.size-t.size),r[0])return r[0];let i=t-t%16;return{key:`at:${i}`,label:`${n} bytes at ${sn(t)}`,addr:i,size:Math.min(on,t+n-i)}}var dn=[`var(--vv-data)`,`var(--vv-notification)`,`var(--vv-control)`,`var(--vv-active)`],Y=class extends F{constructor(...e){super(...e),this.memory=null,this.queues=[],this.focused=null,this.picked=``}static{this.styles=[B,o`
    :host { display: block; }
    .bar { display: flex; gap: 8px; align-items: center; margin-bottom: 6px; flex-wrap: wrap; }
    .bar select { max-width: 100%; }
    .scroll { max-height: 300px; overflow: auto; position: relative; font-family: var(--vv-mono); font-size: 0.78em; line-height: 1.55; }
    .row { white-space: pre; }
    .addr { color: var(--vv-muted); }
    .b { border-radius: 2px; }
    .b.w { background: var(--vv-changed); }
    .b.r, .sw.r { text-decoration: underline 2px var(--vv-accent); text-underline-offset: 3px; }
    .b.f, .sw.f { outline: 1px solid var(--vv-accent); background: var(--vv-focus); }
    .sw { font-family: var(--vv-mono); border-radius: 2px; padding: 0 3px; }
    .sw.w { background: var(--vv-changed); }
    .key { font-size: 0.75em; display: flex; gap: 12px; flex-wrap: wrap; }
    .ascii { color: var(--vv-muted); }
    .fields { display: flex; gap: 10px; flex-wrap: wrap; font-size: 0.78em; font-family: var(--vv-mono); }
    .fields i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
  `]}point(e){let t=Number(e.target.dataset.addr??NaN);if(!Number.isFinite(t)||this.focused&&t>=this.focused.addr&&t<this.focused.addr+this.focused.length)return;let n=Ht(this.queues,t);n&&this.dispatchEvent(new CustomEvent(`focus-bytes`,{detail:n,bubbles:!0,composed:!0}))}willUpdate(e){e.has(`focused`)&&this.focused&&(this.picked=``)}render(){let e=this.memory;if(!e)return k`<h2>Guest memory</h2><p class="muted">Nothing written yet.</p>`;let t=ln(this.frame,this.queues,e),n=this.focused,r=this.frame?.event.reads??[],i=t.find(e=>e.key===this.picked);if(!i&&n&&(i=un(t,n.addr,n.length)),!i&&!this.frame?.memory.length&&r[0]&&(i=un(t,r[0][0],r[0][1])),i??=t[0],!i)return k`<h2>Guest memory</h2><p class="muted">Nothing written yet.</p>`;t.some(e=>e.key===i.key)||t.unshift(i);let a=e.read(i.addr,i.size),o=new Set,s=new Set;for(let e of this.frame?.memory??[])for(let t=0;t<e.hex.length/2;t++)o.add(e.addr+t);for(let[e,t]of r)for(let n=0;n<Math.min(t,4096);n++)s.add(e+n);let c=e=>n?.fields?.findIndex(t=>e>=t.addr&&e<t.addr+t.length)??-1,l=[];for(let e=0;e<a.length;e+=16){let t=i.addr+e,r=[],u=``;for(let i=0;i<16&&e+i<a.length;i++){let l=t+i,d=a[e+i],f=!!n&&l>=n.addr&&l<n.addr+n.length,p=f?c(l):-1,m=p>=0?`background: color-mix(in srgb, ${dn[p%4]} 35%, transparent)`:``;r.push(k`<span class="b ${o.has(l)?`w`:``} ${s.has(l)?`r`:``} ${f?`f`:``}" data-addr=${l} style=${m}>${d.toString(16).padStart(2,`0`)}</span>${i===7?`  `:` `}`),u+=d>=32&&d<127?String.fromCharCode(d):`.`}l.push(k`<div class="row"><span class="addr">${t.toString(16).padStart(8,`0`)}  </span>${r} <span class="ascii">${u}</span></div>`)}return k`<h2>Guest memory</h2>
      <div class="bar">
        <select aria-label="memory region" @change=${e=>{this.picked=e.target.value}}>
          ${t.map(e=>k`<option value=${e.key} ?selected=${e.key===i.key}>${e.label}</option>`)}
        </select>
      </div>
      ${n?k`<div class="fields" aria-live="polite"><span class="muted">${n.label}, ${n.length} bytes at 0x${n.addr.toString(16)}:</span>
        ${(n.fields??[]).map((e,t)=>k`<span><i style="background: ${dn[t%4]}"></i>${e.name}</span>`)}</div>`:M}
      <div class="key muted"><span><span class="sw w">00</span> written by this step</span><span><span class="sw r">00</span> read by this step</span><span><span class="sw f">00</span> the structure you point at</span></div>
      <div class="scroll" aria-label="hex dump" @mouseover=${e=>this.point(e)}>${l}</div>`}updated(){let e=this.renderRoot.querySelector(`.b.f`),t=this.renderRoot.querySelector(`.scroll`);if(!e||!t)return;let n=e.offsetTop;(n<t.scrollTop||n>t.scrollTop+t.clientHeight-20)&&(t.scrollTop=Math.max(0,n-40))}};z([L({attribute:!1})],Y.prototype,`memory`,void 0),z([L({attribute:!1})],Y.prototype,`queues`,void 0),z([L({attribute:!1})],Y.prototype,`frame`,void 0),z([L({attribute:!1})],Y.prototype,`focused`,void 0),z([R()],Y.prototype,`picked`,void 0),Y=z([I(`vv-hex`)],Y);var fn=`https://docs.oasis-open.org/virtio/virtio/v1.2/cs01/virtio-v1.2-cs01.html`,X=class extends F{constructor(...e){super(...e),this.total=0,this.wires=[]}static{this.styles=[B,o`
    :host { display: block; }
    .chapter { font-size: 0.85em; color: var(--vv-muted); }
    .chapter strong { color: var(--vv-text); }
    .intro { font-size: 0.9em; color: var(--vv-muted); margin: 4px 0 10px; line-height: 1.45; }
    .text { font-size: 1.15em; line-height: 1.5; margin: 8px 0; overflow-wrap: anywhere; }
    .meta { display: flex; flex-wrap: wrap; gap: 6px; font-size: 0.8em; }
    .tag { border: 1px solid var(--vv-line); border-radius: 999px; padding: 1px 8px; overflow-wrap: anywhere; }
    a { color: var(--vv-accent); }
    .path, .analog { font-size: 0.8em; margin-top: 8px; line-height: 1.6; overflow-wrap: anywhere; }
    .hop { border-bottom: 1px dotted var(--vv-muted); cursor: help; }
    .violation { border: 2px solid var(--vv-violation); border-radius: 8px; padding: 8px 10px; margin: 8px 0;
      background: color-mix(in srgb, var(--vv-violation) 12%, transparent); line-height: 1.45; }
    .decoded { margin-top: 8px; font-size: 0.85em; }
    .decoded summary { cursor: pointer; color: var(--vv-muted); }
    .decoded .mono { overflow-wrap: anywhere; line-height: 1.5; margin-top: 4px; }
    .violation strong { color: var(--vv-violation); display: block; margin-bottom: 2px; }
    .violation .rule { font-family: var(--vv-mono); border: 1px solid var(--vv-violation); border-radius: 4px; padding: 0 4px; margin-right: 4px; }
  `]}decoded(e){return typeof e.layers==`string`?k`<details class="decoded" open><summary>Frame: ${String(e.decoded??``)}</summary>
        <div class="mono">${e.layers.split(` / `).map(e=>k`<div>${e}</div>`)}</div></details>`:typeof e.type_name==`string`&&typeof e.header==`string`?k`<details class="decoded" open><summary>Request: ${e.type_name}, sector ${String(e.sector??``)}</summary>
        <div class="mono">header ${e.header}${typeof e.data_len==`number`?k`<br />data ${e.data_len} bytes`:M}</div></details>`:M}render(){let e=this.frame,t=this.chapter;if(!e)return k`<p class="muted">Loading…</p>`;let n=e.event,r=t&&e.index===t.first_step;return k`
      <div class="chapter">Step ${e.index+1} of ${this.total}${t?k` · <strong>${t.title}</strong>`:M}</div>
      ${r&&t?.intro?k`<p class="intro">${t.intro}</p>`:M}
      <p class="text" aria-live="polite">${e.narration}</p>
      ${n.rule===null?M:k`<div class="violation" role="alert"><strong>⚠ <span class="rule">N${n.rule}</span>This breaks a MUST of the virtio spec</strong>${n.requirement}</div>`}
      <div class="meta">
        <span class="tag" style="border-color: ${V[n.plane]}">${n.plane}</span>
        <span class="tag">${n.actor}</span>
        <span class="tag mono">${n.kind}</span>
        ${n.spec?k`<a class="tag" href="${fn}" target="_blank" rel="noopener" title="Open the virtio 1.2 specification">virtio-1.2 ${n.spec}</a>`:M}
      </div>
      ${n.analog?k`<div class="analog"><span class="muted">In real software:</span> <span class="mono">${n.analog}</span></div>`:M}
      ${this.decoded(n.values)}
      ${e.hops.length?k`<div class="path" aria-label="the path on the diagram"><span class="muted">${e.route??`path`}:</span>
        ${e.hops.map((e,t)=>{let n=this.wires.find(t=>t.id===e);return k`${t?k`<span class="muted"> → </span>`:M}<span class="hop" title=${n?.detail??``}>${n?.label??e}</span>`})}</div>`:M}`}};z([L({attribute:!1})],X.prototype,`frame`,void 0),z([L({attribute:!1})],X.prototype,`chapter`,void 0),z([L({type:Number})],X.prototype,`total`,void 0),z([L({attribute:!1})],X.prototype,`wires`,void 0),X=z([I(`vv-narration`)],X);var Z=class extends F{constructor(...e){super(...e),this.step=0,this.total=0,this.playing=!1,this.speed=4,this.chapters=[],this.violations=[],this.disabled=!1}static{this.styles=[B,o`
    :host { display: block; }
    .controls { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
    .track { position: relative; flex: 1; min-width: 160px; height: 34px; }
    input[type="range"] { width: 100%; margin: 0; position: absolute; top: 8px; accent-color: var(--vv-accent); }
    .mark { position: absolute; top: -2px; width: 10px; height: 12px; margin-left: -5px; padding: 0; border: 0; border-radius: 0; background: transparent; cursor: pointer; z-index: 1; }
    .mark::before { content: ""; position: absolute; left: 4px; top: 2px; width: 2px; height: 8px; background: var(--vv-muted); }
    .mark.here::before { background: var(--vv-accent); width: 3px; }
    .mark.violation { top: 22px; }
    .mark.violation::before { background: var(--vv-violation); width: 3px; height: 10px; }
    .mark:hover::after, .mark:focus-visible::after { content: attr(data-title); position: absolute; bottom: 14px; left: 0; white-space: nowrap; font-size: 0.75em; color: var(--vv-text); background: var(--vv-panel-2); border: 1px solid var(--vv-line); padding: 1px 6px; border-radius: 4px; pointer-events: none; }
    .count { font-family: var(--vv-mono); font-size: 0.85em; min-width: 8em; text-align: right; }
    button.primary { min-width: 4.5em; border-color: var(--vv-accent); }
    @media (max-width: 600px) {
      .controls { gap: 4px; }
      button { padding: 3px 8px; }
      select { display: none; }
      .track { flex-basis: 100%; order: 2; height: 26px; }
      .count { min-width: 0; margin-left: auto; }
    }
  `]}emit(e){this.dispatchEvent(new CustomEvent(`command`,{detail:e,bubbles:!0,composed:!0}))}render(){let e=Math.max(0,this.total-1);return k`<div class="controls" role="toolbar" aria-label="timeline controls">
      <button title="first step (Home)" aria-label="first step" ?disabled=${this.disabled} @click=${()=>this.emit(`first`)}>|◀</button>
      <button title="previous chapter ([)" aria-label="previous chapter" ?disabled=${this.disabled} @click=${()=>this.emit(`prev-chapter`)}>◀◀</button>
      <button title="back one step (←)" aria-label="back one step" ?disabled=${this.disabled} @click=${()=>this.emit(`back`)}>◀</button>
      <button class="primary" title="play or pause (space)" aria-label=${this.playing?`pause`:`play`} ?disabled=${this.disabled} @click=${()=>this.emit(`play`)}>${this.playing?`❚❚`:`▶ play`}</button>
      <button title="forward one step (→)" aria-label="forward one step" ?disabled=${this.disabled} @click=${()=>this.emit(`step`)}>▶</button>
      <button title="next chapter (])" aria-label="next chapter" ?disabled=${this.disabled} @click=${()=>this.emit(`next-chapter`)}>▶▶</button>
      <button title="last step (End)" aria-label="last step" ?disabled=${this.disabled} @click=${()=>this.emit(`last`)}>▶|</button>
      <select aria-label="speed" @change=${e=>this.dispatchEvent(new CustomEvent(`speed`,{detail:Number(e.target.value),bubbles:!0,composed:!0}))}>
        ${[1,2,4,8,20].map(e=>k`<option value=${e} ?selected=${e===this.speed}>${e} steps/s</option>`)}
      </select>
      <div class="track">
        ${this.chapters.map(t=>k`<button class="mark ${this.step>=t.first_step&&this.step<t.first_step+t.step_count?`here`:``}" style="left: ${e?100*t.first_step/e:0}%" data-title=${t.title}
            aria-label="chapter ${t.index+1}: ${t.title}" ?disabled=${this.disabled}
            @click=${()=>this.dispatchEvent(new CustomEvent(`seek`,{detail:t.first_step,bubbles:!0,composed:!0}))}></button>`)}
        ${this.violations.map(t=>k`<button class="mark violation" style="left: ${e?100*t/e:0}%" data-title="step ${t+1}: a spec rule broken"
            aria-label="step ${t+1} breaks a spec rule" @click=${()=>this.dispatchEvent(new CustomEvent(`seek`,{detail:t,bubbles:!0,composed:!0}))}></button>`)}
        <input type="range" min="0" max=${e} .value=${String(this.step)} aria-label="timeline position" ?disabled=${this.disabled}
          @input=${e=>this.dispatchEvent(new CustomEvent(`seek`,{detail:Number(e.target.value),bubbles:!0,composed:!0}))} />
      </div>
      <span class="count" aria-live="off">${this.total?this.step+1:0} / ${this.total}</span>
    </div>`}};z([L({type:Number})],Z.prototype,`step`,void 0),z([L({type:Number})],Z.prototype,`total`,void 0),z([L({type:Boolean})],Z.prototype,`playing`,void 0),z([L({type:Number})],Z.prototype,`speed`,void 0),z([L({attribute:!1})],Z.prototype,`chapters`,void 0),z([L({attribute:!1})],Z.prototype,`violations`,void 0),z([L({type:Boolean})],Z.prototype,`disabled`,void 0),Z=z([I(`vv-timeline`)],Z);var pn=class extends F{constructor(...e){super(...e),this.frames=[],this.current=0}static{this.styles=[B,o`
    :host { display: flex; flex-direction: column; min-height: 0; }
    ol { position: relative; list-style: none; margin: 0; padding: 0; font-size: 0.8em; flex: 1; min-height: 0; max-height: var(--vv-log-max, 220px); overflow: auto; }
    li { padding: 2px 4px; border-left: 3px solid transparent; cursor: pointer; display: flex; gap: 6px; }
    li.current { background: var(--vv-focus); }
    li.violation { color: var(--vv-violation); }
    .n { font-family: var(--vv-mono); color: var(--vv-muted); min-width: 3.5em; text-align: right; }
  `]}render(){return k`<h2>Event log</h2><ol aria-label="recent events">
      ${this.frames.map(e=>k`<li class="${e.index===this.current?`current`:``} ${e.event.rule===null?``:`violation`}"
        style="border-left-color: ${V[e.event.plane]}" tabindex="0"
        @click=${()=>this.go(e.index)} @keydown=${t=>t.key===`Enter`&&this.go(e.index)}>
        <span class="n">${e.index+1}</span><span>${e.narration}</span></li>`)}
    </ol>`}updated(){let e=this.renderRoot.querySelector(`ol`),t=this.renderRoot.querySelector(`li.current`);e&&t&&(e.scrollTop=t.offsetTop-e.clientHeight+t.offsetHeight+4)}go(e){this.dispatchEvent(new CustomEvent(`seek`,{detail:e,bubbles:!0,composed:!0}))}};z([L({attribute:!1})],pn.prototype,`frames`,void 0),z([L({type:Number})],pn.prototype,`current`,void 0),pn=z([I(`vv-log`)],pn);function mn(e){let t=e.trim().replace(/_/g,``);if(!/^(0x[0-9a-f]+|\d+)$/i.test(t))return`expected a number (decimal or 0x hex)`;let n=Number(t);return Number.isSafeInteger(n)?n:`too large for this page`}function hn(e,t){if(e.kind===`bool`)return{value:t===!0};let n=String(t);if(e.kind===`int`){if(n.trim()===``&&typeof e.default==`number`)return{value:e.default};let t=mn(n);return typeof t==`string`?{error:`${e.label}: ${t}`}:e.minimum!==null&&t<e.minimum?{error:`${e.label}: at least ${e.minimum}`}:e.maximum!==null&&t>e.maximum?{error:`${e.label}: at most ${e.maximum}`}:{value:t}}return e.kind===`choice`&&e.choices.length&&!e.choices.includes(n)?{error:`${e.label}: one of ${e.choices.join(`, `)}`}:{value:n}}var gn=class extends F{constructor(...e){super(...e),this.actions=[],this.error=``}static{this.styles=[B,o`
    :host { display: block; font-size: 0.85em; }
    .list { display: flex; flex-wrap: wrap; gap: 6px; }
    form { display: flex; flex-wrap: wrap; align-items: end; gap: 4px 6px; padding: 4px 6px; border: 1px solid var(--vv-line); border-radius: 8px; }
    form.plain { border: 0; padding: 0; }
    label { display: flex; flex-direction: column; font-size: 0.8em; color: var(--vv-muted); gap: 1px; }
    label.check { flex-direction: row; align-items: center; gap: 4px; }
    input[type="text"] { width: 7.5em; background: var(--vv-panel-2); border: 1px solid var(--vv-line); border-radius: 5px; padding: 3px 5px; font-family: var(--vv-mono); }
    input.wide { width: 16em; }
    .error { color: var(--vv-violation); font-size: 0.9em; margin-top: 4px; }
    summary { cursor: pointer; color: var(--vv-muted); margin-bottom: 6px; }
    summary h2 { display: inline; margin: 0; }
  `]}submit(e,t){e.preventDefault();let n=e.target,r={};for(let e of t.params){let t=n.elements.namedItem(e.name);if(!t)continue;let{value:i,error:a}=hn(e,t instanceof HTMLInputElement&&t.type===`checkbox`?t.checked:t.value);if(a){this.error=a;return}r[e.name]=i}this.error=``,this.dispatchEvent(new CustomEvent(`act`,{detail:{kind:t.kind,params:r},bubbles:!0,composed:!0}))}field(e){if(e.kind===`bool`)return k`<label class="check"><input type="checkbox" name=${e.name} ?checked=${e.default===!0} />${e.label}</label>`;if(e.kind===`choice`)return k`<label>${e.label}<select name=${e.name}>${e.choices.map(t=>k`<option ?selected=${t===e.default}>${t}</option>`)}</select></label>`;let t=e.maximum!==null&&e.maximum<=65535,n=e.kind===`int`?t?`${e.minimum??0}–${e.maximum}`:`decimal or 0x…`:``,r=e.kind===`int`?`${e.minimum??0} to ${e.maximum??`any`}, decimal or 0x hex`:``;return k`<label>${e.label}<input type="text" name=${e.name} class=${e.kind===`str`?`wide`:``} inputmode=${e.kind===`int`?`text`:M}
      .value=${e.default===null||e.default===void 0?``:String(e.default)} placeholder=${n} title=${r} autocomplete="off" spellcheck="false" /></label>`}render(){if(!this.actions.length)return M;let e=this.actions.map(e=>k`<form class=${e.params.length?``:`plain`} @submit=${t=>this.submit(t,e)}>
      ${e.params.map(e=>this.field(e))}<button type="submit" title=${e.help}>${e.label}</button></form>`);return k`<details ?open=${window.matchMedia?.(`(min-width: 901px)`).matches??!0}><summary><h2>Try it: act at this step</h2></summary>
      <div class="list">${e}</div>
      ${this.error?k`<div class="error" role="alert">${this.error}</div>`:M}</details>`}};z([L({attribute:!1})],gn.prototype,`actions`,void 0),z([R()],gn.prototype,`error`,void 0),gn=z([I(`vv-actions`)],gn);function Q(e){return typeof e==`number`?e:typeof e==`string`&&/^0x[0-9a-f]+$/i.test(e)?Number(BigInt(e)):null}function _n(e){let t=e?.event.values??{},n=Q(t.length),r=Q(t.gpa),i=Q(t.backend_addr);if(r!==null&&i!==null)return{from:`guest-physical`,fromAddr:r,to:`back-end virtual`,toAddr:i,length:n};let a=Q(t.iova),o=Q(t.hpa);return a!==null&&o!==null?{from:`IOVA`,fromAddr:a,to:`host-physical`,toAddr:o,length:n}:null}function vn(e){let t=e?.memtable;if(Array.isArray(t)&&t.length)return{title:`Back-end memory table (guest-physical → QEMU virtual)`,rows:t.map((e,t)=>({label:`region ${t}`,from:e.guest_phys??0,to:e.user_addr??0,size:e.size??0,note:`mmap offset 0x${(e.mmap_offset??0).toString(16)}`}))};let n=e?.iommu;return Array.isArray(n)&&n.length?{title:`IOMMU mappings (IOVA → host-physical)`,rows:n.map((e,t)=>({label:`mapping ${t}`,from:Number(e.iova??0),to:Number(e.hpa??0),size:Number(e.size??0),note:String(e.perm??``)}))}:null}var yn=e=>`0x${e.toString(16)}`,bn=class extends F{static{this.styles=[B,o`
    :host { display: block; }
    .now { border: 2px solid var(--vv-accent); border-radius: 8px; padding: 6px 8px; margin-bottom: 6px; font-family: var(--vv-mono); font-size: 0.85em; }
    table { border-collapse: collapse; width: 100%; font-family: var(--vv-mono); font-size: 0.8em; }
    td, th { padding: 1px 6px; text-align: left; white-space: nowrap; }
    th { color: var(--vv-muted); font-weight: 500; }
    tr.hit td { background: var(--vv-focus); }
  `]}render(){let e=_n(this.frame),t=vn(this.extras);if(!e&&!t)return M;let n=(t,n)=>e!==null&&e.fromAddr>=t&&e.fromAddr<t+n;return k`<h2>Address translation</h2>
      ${e?k`<div class="now" role="status" aria-label="this step's translation">
        ${e.from} ${yn(e.fromAddr)} → ${e.to} ${yn(e.toAddr)}${e.length===null?M:k` <span class="muted">(${e.length} bytes)</span>`}</div>`:M}
      ${t?k`<div class="muted">${t.title}</div><table aria-label=${t.title}>
        <thead><tr><th></th><th>from</th><th>to</th><th>size</th><th></th></tr></thead>
        <tbody>${t.rows.map(e=>k`<tr class=${n(e.from,e.size)?`hit`:``}><td>${e.label}</td><td>${yn(e.from)}</td><td>${yn(e.to)}</td><td>${yn(e.size)}</td><td class="muted">${e.note}</td></tr>`)}</tbody>
      </table>`:M}`}};z([L({attribute:!1})],bn.prototype,`frame`,void 0),z([L({attribute:!1})],bn.prototype,`extras`,void 0),bn=z([I(`vv-address-map`)],bn);var $=class extends F{constructor(...e){super(...e),this.src=null,this.scenario=`qemu-emulated`,this.step=0,this.theme=null,this.urlState=!1,this.compact=!1,this.server=null,this.focusBytes=null,this.help=!1,this.themeChosen=!1,this.loadError=null,this.scenarios=[],this.store=new Be,this.source=null,this.options={},this.room=null,this.token=null,this.onStoreChange=()=>{this.requestUpdate(),this.syncUrl()},this.onKey=e=>this.key(e)}static{this.styles=[Ve,B,o`
    :host { display: block; background: var(--vv-bg); box-sizing: border-box; overflow: auto; }
    .page { display: grid; gap: 10px; padding: 10px; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
      grid-template-areas: "head head" "diagram story" "rings rings" "hex side" "bar bar"; }
    .page > * { min-width: 0; }
    header { grid-area: head; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
    header h1 { font-size: 1.1em; margin: 0 8px 0 0; }
    header .grow { flex: 1; }
    .diagram { grid-area: diagram; padding: 8px; min-height: 260px; }
    .story { grid-area: story; padding: 12px; display: flex; flex-direction: column; gap: 12px; }
    .rings { grid-area: rings; padding: 10px; }
    .hex { grid-area: hex; padding: 10px; }
    .side { grid-area: side; padding: 10px; display: flex; flex-direction: column; gap: 12px; }
    /* The event log fills what the story column has left, without making the row taller. */
    .log-slot { flex: 1; min-height: 180px; position: relative; }
    .log-slot vv-log { position: absolute; inset: 0; --vv-log-max: none; }
    .bar { grid-area: bar; padding: 8px 10px; position: sticky; bottom: 0; z-index: 2; }
    .error { color: var(--vv-violation); font-size: 0.9em; }
    .scrim { position: fixed; inset: 0; z-index: 9; background: rgb(0 0 0 / 0.45); }
    .help { position: fixed; z-index: 10; top: 50%; left: 50%; transform: translate(-50%, -50%);
      width: min(560px, calc(100vw - 32px)); max-height: calc(100vh - 32px); box-sizing: border-box; padding: 20px; overflow: auto;
      box-shadow: 0 12px 40px rgb(0 0 0 / 0.35); }
    .help h2 { margin-bottom: 12px; }
    .help dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 16px; }
    .help dt { font-family: var(--vv-mono); }
    :host([compact]) .page { grid-template-areas: "diagram story" "bar bar"; }
    :host([compact]) .rings, :host([compact]) .hex, :host([compact]) .side, :host([compact]) header { display: none; }
    :host([compact]) .log-slot, :host([compact]) vv-actions { display: none; }
    @media (max-width: 900px) {
      .page { grid-template-columns: minmax(0, 1fr); grid-template-areas: "head" "story" "diagram" "bar" "rings" "hex" "side"; }
      :host([compact]) .page { grid-template-areas: "story" "diagram" "bar"; }
      .log-slot { min-height: 120px; }
    }
    @media (min-width: 640px) and (max-width: 900px) {
      :host([compact]) .page { grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); grid-template-areas: "diagram story" "bar bar"; }
    }
  `]}connectedCallback(){if(super.connectedCallback(),this.urlState){let e=Ue(location.search);this.src=e.src??this.src,this.scenario=e.scenario,this.step=e.step,this.options=e.options,this.room=e.room,this.token=e.token,e.theme&&(this.theme=e.theme,this.themeChosen=!0)}this.theme||=window.matchMedia?.(`(prefers-color-scheme: light)`).matches?`light`:`dark`,this.store.addEventListener(`change`,this.onStoreChange),(this.urlState?window:this).addEventListener(`keydown`,this.onKey),this.urlState||(this.tabIndex=0),this.start()}disconnectedCallback(){super.disconnectedCallback(),this.store.removeEventListener(`change`,this.onStoreChange),(this.urlState?window:this).removeEventListener(`keydown`,this.onKey),this.stopTimer(),this.source?.close()}wsUrl(){let e=new URL(this.server??location.href);return`${e.protocol===`https:`?`wss:`:`ws:`}//${e.host}/ws`}async start(){this.source?.close(),this.loadError=null;try{if(this.src===`#virtio-viz-trace`){let e=new Fe(this.store,this.src,this.step);this.source=e,e.load(JSON.parse(document.getElementById(`virtio-viz-trace`)?.textContent??`null`));return}this.src?this.source=new Fe(this.store,this.src,this.step):(this.source=new Ie(this.store,this.wsUrl(),{scenario:this.scenario,options:this.options,step:this.step,room:this.room??void 0,token:this.token??void 0}),this.loadScenarios()),await this.source.start()}catch(e){this.loadError=e instanceof Error?e.message:String(e)}}async loadScenarios(){try{let e=await fetch(new URL(`/api/scenarios`,this.server??location.href));e.ok&&(this.scenarios=await e.json())}catch{}}syncUrl(){if(!this.urlState||!this.store.header)return;let e=We({src:this.src,scenario:this.store.header.scenario.id,step:this.store.step,options:this.options,room:this.room,token:null,theme:this.themeChosen?this.theme:null});e!==location.search&&history.replaceState(null,``,e)}seek(e){this.source?.seek(e)}command(e){let t=this.store,n=t.header?.chapters??[],r=t.chapterAt();switch(e){case`first`:return this.seek(0);case`last`:return this.seek(t.length-1);case`back`:return this.seek(t.step-1);case`step`:return this.seek(t.step+1);case`prev-chapter`:{let e=n[r];return this.seek(e&&t.step>e.first_step?e.first_step:n[Math.max(0,r-1)]?.first_step??0)}case`next-chapter`:return this.seek(n[r+1]?.first_step??t.length-1);case`play`:return this.togglePlay()}}togglePlay(){this.timer===void 0?(this.store.playing=!0,this.source?.play(this.store.speed),this.timer=window.setInterval(()=>{this.store.step>=this.store.length-1?(this.stopTimer(),this.source?.pause()):this.seek(this.store.step+1)},1e3/this.store.speed),this.requestUpdate()):(this.stopTimer(),this.source?.pause())}stopTimer(){this.timer!==void 0&&window.clearInterval(this.timer),this.timer=void 0,this.store.playing=!1,this.requestUpdate()}key(e){let t=e.composedPath()[0];if(t&&[`INPUT`,`SELECT`,`TEXTAREA`].includes(t.tagName)&&e.key!==`Escape`||t&&[`BUTTON`,`A`,`SUMMARY`].includes(t.tagName)&&(e.key===` `||e.key===`Enter`))return;let n={ArrowRight:`step`,PageDown:`step`,ArrowLeft:`back`,PageUp:`back`,Home:`first`,End:`last`,"]":`next-chapter`,"[":`prev-chapter`," ":`play`};if(e.key===`?`){this.help=!this.help,e.preventDefault();return}if(e.key===`Escape`){this.help=!1;return}let r=n[e.key];r&&(e.preventDefault(),this.command(r))}render(){let e=this.store,t=e.header;if(!t){let t=this.loadError??e.error;return k`<div class="page"><p class=${t?`error`:`muted`} role=${t?`alert`:`status`}>${t?`Could not open this timeline: ${t}`:`Loading the timeline…`}</p></div>`}let n=e.view(),r=t.chapters[e.chapterAt()],i=n?.state,a=[];for(let t=Math.max(0,e.step-30);t<=e.step;t++){let n=e.frame(t);n&&a.push(n)}return k`<div class="page" @seek=${e=>this.seek(e.detail)}
        @command=${e=>this.command(e.detail)}
        @speed=${t=>{e.speed=t.detail,this.timer!==void 0&&(this.stopTimer(),this.togglePlay())}}
        @focus-bytes=${e=>{this.focusBytes=e.detail}}>
      <header>
        <h1>virtio-viz</h1>
        ${this.scenarios.length&&!this.src?k`<select aria-label="scenario" @change=${e=>this.switchScenario(e.target.value)}>
          ${this.scenarios.map(e=>k`<option value=${e.id} ?selected=${e.id===t.scenario.id}>${e.title}</option>`)}</select>`:k`<strong>${t.scenario.title}</strong>`}
        ${e.role===`solo`?M:k`<span class="muted">${e.role===`follower`?`following the presenter`:`presenting`}</span>`}
        <span class="grow"></span>
        ${e.error?k`<span class="error" role="status">${e.error}</span>`:M}
        <button aria-label="switch theme" @click=${()=>{this.theme=this.theme===`light`?`dark`:`light`,this.themeChosen=!0,this.syncUrl()}}>${this.theme===`light`?`dark`:`light`} theme</button>
        <button aria-label="keyboard help" @click=${()=>{this.help=!this.help}}>?</button>
      </header>
      <section class="diagram panel" aria-label="architecture diagram">
        <vv-diagram .topology=${t.topology} .frame=${n?.frame}></vv-diagram>
      </section>
      <section class="story panel" aria-label="narration">
        <vv-narration .frame=${n?.frame} .chapter=${r} .total=${e.length} .wires=${t.topology.wires}></vv-narration>
        <vv-status .value=${i?.status.value??0} .history=${e.statusHistory()}></vv-status>
        <vv-address-map .frame=${n?.frame} .extras=${i?.extras}></vv-address-map>
        ${e.actions.length&&this.source?.live&&e.role!==`follower`?k`<vv-actions .actions=${e.actions} @act=${e=>this.source?.act(e.detail.kind,e.detail.params)}></vv-actions>`:M}
        <div class="log-slot"><vv-log .frames=${a} .current=${e.step}></vv-log></div>
      </section>
      <section class="rings panel" aria-label="virtqueues">
        <vv-rings .queues=${i?.queues??[]} .memory=${n?.memory??null} .frame=${n?.frame} .focused=${this.focusBytes}></vv-rings>
      </section>
      <section class="hex panel" aria-label="guest memory">
        <vv-hex .memory=${n?.memory??null} .queues=${i?.queues??[]} .frame=${n?.frame} .focused=${this.focusBytes}></vv-hex>
      </section>
      <section class="side panel">
        <vv-features .names=${t.feature_names??[]} .features=${i?.features??null}></vv-features>
      </section>
      <footer class="bar panel">
        <vv-timeline .step=${e.step} .total=${e.length} .playing=${this.timer!==void 0} .speed=${e.speed}
          .chapters=${t.chapters} .violations=${e.violationSteps()} ?disabled=${e.role===`follower`}></vv-timeline>
      </footer>
      ${this.help?this.renderHelp():M}
    </div>`}renderHelp(){return k`<div class="scrim" @click=${()=>{this.help=!1}}></div>
      <div class="help panel" role="dialog" aria-modal="true" aria-label="keyboard help">
      <h2>Keyboard</h2><dl>${[[`→ or PageDown`,`next step`],[`← or PageUp`,`previous step`],[`space`,`play or pause`],[`[ and ]`,`previous and next chapter`],[`Home / End`,`first and last step`],[`↑ / ↓`,`next or previous descriptor, in the descriptor table`],[`?`,`this help`],[`Esc`,`close`]].map(([e,t])=>k`<dt>${e}</dt><dd>${t}</dd>`)}</dl>
      <p class="muted">Point at a descriptor, a ring entry or a byte: the ring view and the hex view outline the same bytes. Click a descriptor's address to see its buffer.</p>
      <p class="muted">Every view is a permalink: the address bar keeps the scenario, its options and the step. For a lecture hall, add <code>&amp;theme=projector</code> to the address: large type on black.</p>
      <button @click=${()=>{this.help=!1}}>close</button></div>`}updated(e){e.has(`help`)&&this.help&&this.renderRoot.querySelector(`.help button`)?.focus()}switchScenario(e){this.scenario=e,this.step=0,this.options={},this.start()}};z([L()],$.prototype,`src`,void 0),z([L()],$.prototype,`scenario`,void 0),z([L({type:Number})],$.prototype,`step`,void 0),z([L({reflect:!0})],$.prototype,`theme`,void 0),z([L({type:Boolean,attribute:`url-state`})],$.prototype,`urlState`,void 0),z([L({type:Boolean,reflect:!0})],$.prototype,`compact`,void 0),z([L()],$.prototype,`server`,void 0),z([R()],$.prototype,`focusBytes`,void 0),z([R()],$.prototype,`help`,void 0),z([R()],$.prototype,`loadError`,void 0),z([R()],$.prototype,`scenarios`,void 0),$=z([I(`virtio-viz`)],$);